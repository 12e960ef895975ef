/**
 * The page program stub on QEMU's nRF51 (its NVMC model, hw/nvram/nrf51_nvm.c) and on our
 * simulated nRF51 (interpreter + sim/nrf NVMC) from identical states: the debugger starts
 * the first page's erase, the first call programs it and starts erasing the second, the
 * second programs that one; one page was non-blank. Then compare the returned digests
 * (each the page's murmur3x2 as read back), registers and the whole flash.
 */
import { deepEqual, equal } from "node:assert/strict";
import { createContext } from "../kernel/mod.ts";
import { Reg } from "../probes/cortexm/debug.ts";
import { GdbCortexMDebug, openTcpStream } from "../probes/gdb/mod.ts";
import { NRF_CHIPS } from "../sim/nrf/chips.ts";
import { NrfDevice as SimNrf } from "../sim/nrf/device.ts";
import { PROGRAM_STUB } from "../stubs/blobs.ts";
import { murmur3x2Words } from "../plugins/hash/murmur3x2.ts";
import { NVMC } from "../targets/nrf/chips.ts";
import { MICROBIT_V1_FLASH, qemuMissing, startQemuMicrobit } from "./qemu/harness.ts";

const skip = await qemuMissing();
if (skip) console.log(`skipping program stub cross-check: ${skip}`);

const STUB = 0x20000080, SP = 0x20000400, BUF = 0x20001000, PAGE = 1024;

const next = (k: number) => CALLS[k + 1]?.[0] ?? 0xffffffff;

function pattern(length: number, seed: number): Uint8Array {
  let x = seed >>> 0;
  return Uint8Array.from({ length }, () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x >>> 24;
  });
}

/** Calls: [flash page address, data]; each call starts the next one's erase. */
const CALLS: [number, Uint8Array][] = [
  [0x3c00, pattern(PAGE, 11)], // over non-blank flash
  [0x3f000, pattern(PAGE, 12)], // over erased flash
];

/** Runs the calls on the simulated nRF51; returns r0 of each call and the final flash. */
function onSimulator(flash: Uint8Array): { results: number[]; flash: Uint8Array; pc: number } {
  const dev = new SimNrf(NRF_CHIPS.nrf51822, { flash });
  const cpu = dev.cpu;
  cpu.debugEnabled = true;
  dev.ram.set(PROGRAM_STUB, STUB - 0x20000000);
  dev.debugWrite(NVMC.CONFIG, 4, 2);
  dev.debugWrite(NVMC.ERASEPAGE, 4, CALLS[0][0]);
  const results: number[] = [];
  for (const [k, [address, data]] of CALLS.entries()) {
    dev.ram.set(data, BUF - 0x20000000);
    [address, BUF, data.length, next(k)].forEach((v, i) => cpu.writeCoreRegister(i, v));
    cpu.writeCoreRegister(Reg.SP, SP);
    cpu.writeCoreRegister(Reg.LR, STUB | 1);
    cpu.writeCoreRegister(Reg.PC, STUB);
    cpu.xpsr = 0x01000000;
    cpu.resume();
    for (let i = 0; i < 10_000 && cpu.running; i++) dev.advanceBy(1);
    equal(cpu.halted, true, `simulator halted (fault: ${cpu.fault?.message ?? "none"})`);
    results.push(cpu.readCoreRegister(0), cpu.readCoreRegister(1));
  }
  return { results, flash: dev.flash.slice(), pc: cpu.readCoreRegister(15) };
}

Deno.test({
  name: "program stub: QEMU's NVMC and our nRF51 simulator end with the same flash",
  ignore: !!skip,
  async fn() {
    const initial = pattern(16 * PAGE, 10);
    const q = await startQemuMicrobit(initial);
    const ctx = createContext();
    const d = await GdbCortexMDebug.connect(ctx, await openTcpStream(q.address));
    try {
      await d.writeMemory(ctx, STUB, PROGRAM_STUB);
      await d.writeWord(ctx, NVMC.CONFIG, 2);
      await d.writeWord(ctx, NVMC.ERASEPAGE, CALLS[0][0]);
      const results: number[] = [];
      for (const [k, [address, data]] of CALLS.entries()) {
        await d.writeMemory(ctx, BUF, data);
        results.push(
          await d.runFunction(ctx, {
            entry: STUB,
            sp: SP,
            args: [address, BUF, data.length, next(k)],
            lr: STUB | 1,
            timeoutMs: 5000,
          }),
          await d.readRegister(ctx, Reg.R1),
        );
      }
      const qemuFlash = await d.readMemory(ctx, 0, MICROBIT_V1_FLASH);
      const qemuPc = await d.readRegister(ctx, Reg.PC);
      const sim = onSimulator(q.flash);
      deepEqual(
        results,
        CALLS.flatMap(([, data]) => murmur3x2Words(data)),
        "QEMU: each page's digest as read back",
      );
      deepEqual(sim.results, results);
      equal(sim.pc, qemuPc, "both stop on the stub's bkpt");
      const expected = q.flash.slice();
      for (const [address, data] of CALLS) expected.set(data, address);
      deepEqual(qemuFlash, expected);
      deepEqual(sim.flash, expected);
    } finally {
      await d.close();
      await q.stop();
    }
  },
});
