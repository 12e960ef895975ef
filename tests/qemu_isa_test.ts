/**
 * Our ARMv6-M interpreter against QEMU's Cortex-M0: the instruction-coverage programs in
 * tests/qemu/programs and the hash stub run from identical register and memory states on
 * both; final registers (APSR flags included) and memory must agree. Also checks that the
 * committed program binaries equal a fresh build when the cross assembler is installed.
 */
import { deepEqual, equal } from "node:assert/strict";
import { createContext } from "../kernel/mod.ts";
import { Reg } from "../probes/cortexm/debug.ts";
import { GdbCortexMDebug, openTcpStream } from "../probes/gdb/mod.ts";
import { REGISTER_NAMES, runProgram } from "../sim/armv6m/mod.ts";
import { HASH_STUB } from "../stubs/blobs.ts";
import { qemuMissing, startQemuMicrobit } from "./qemu/harness.ts";
import { buildPrograms, loadProgram, PROGRAMS } from "./qemu/programs/build.ts";
import { toolchainAvailable } from "../stubs/build.ts";

const skip = await qemuMissing();
if (skip) console.log(`skipping QEMU/interpreter cross-check: ${skip}`);

const CODE = 0x20000000, SP = 0x20003f00, LR = 0x20003ff1;

interface Case {
  name: string;
  code: Uint8Array;
  /** r0–r12. */
  regs: number[];
  /** Initial memory (also what is compared afterwards). */
  memory: { address: number; data: Uint8Array }[];
  /** Final r0 (the output pointer after the last record): proves the program ran to the end. */
  endR0: number;
}

function pattern(length: number, seed: number): Uint8Array {
  let x = seed >>> 0;
  return Uint8Array.from({ length }, () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x >>> 24;
  });
}

const words = (w: number[]) => new Uint8Array(new Uint32Array(w).buffer);

const lowRegs = (
  extra: number[],
) => [...extra, ...Array.from({ length: 13 - extra.length }, (_, i) => 0x01010101 * (i + 3))];

async function cases(flash: Uint8Array): Promise<Case[]> {
  const out: Case[] = [];
  const stack = { address: SP - 0x100, data: pattern(0x100, 7) };
  out.push({
    name: "alu",
    code: await loadProgram("alu"),
    regs: lowRegs([0x20000800]),
    memory: [{ address: 0x20000800, data: pattern(0x2d00, 1) }, stack],
    endR0: 0x20000800 + (8 * 19 + 64 * 20) * 8,
  });
  out.push({
    name: "memory",
    code: await loadProgram("memory"),
    regs: lowRegs([0x20000800, 0x20000600]),
    memory: [
      { address: 0x20000600, data: pattern(64, 2) },
      { address: 0x20000800, data: pattern(0x100, 3) },
      stack,
    ],
    endR0: 0x20000800 + 24 * 8 + 16,
  });
  out.push({
    name: "branches",
    code: await loadProgram("branches"),
    regs: lowRegs([0x20000800]),
    memory: [{ address: 0x20000800, data: pattern(0x120, 4) }, stack],
    endR0: 0x20000800 + 64 * 4 + 8,
  });
  out.push({
    name: "hash stub (8 flash pages)",
    code: HASH_STUB,
    // One descriptor (8 pages of 1 KiB from 0) and its end marker; progress chunk of 3.
    regs: lowRegs([0x20000900, 0, 0x20000800, 0x20000a00]),
    memory: [
      { address: 0x20000800, data: pattern(64, 5) },
      { address: 0x20000900, data: words([0, 1024, 8, 0, 0, 0]) },
      { address: 0x20000a00, data: words([0, 3]) },
      { address: 0, data: flash.slice(0, 8192) },
    ],
    endR0: 0x20000840,
  });
  return out;
}

Deno.test({
  name: "interpreter and QEMU agree on registers, flags and memory",
  ignore: !!skip,
  async fn(t) {
    const flash = pattern(8192, 9);
    const q = await startQemuMicrobit(flash);
    const ctx = createContext();
    const d = await GdbCortexMDebug.connect(ctx, await openTcpStream(q.address));
    try {
      for (const c of await cases(flash)) {
        await t.step(c.name, async () => {
          await d.writeMemory(ctx, CODE, c.code);
          for (const m of c.memory) {
            if (m.address >= 0x20000000) await d.writeMemory(ctx, m.address, m.data);
          }
          for (let r = 4; r <= 12; r++) await d.writeRegister(ctx, r, c.regs[r]);
          await d.runFunction(ctx, {
            entry: CODE,
            sp: SP,
            args: c.regs.slice(0, 4),
            lr: LR,
            timeoutMs: 5000,
          });
          const qemuRegs: Record<string, number> = {};
          for (const [i, name] of REGISTER_NAMES.entries()) {
            qemuRegs[name] = await d.readRegister(ctx, i === 16 ? Reg.XPSR : i);
          }
          const qemuMem: Uint8Array[] = [];
          for (const m of c.memory) qemuMem.push(await d.readMemory(ctx, m.address, m.data.length));

          const sim = runProgram({
            code: c.code,
            loadAddress: CODE,
            registers: {
              ...Object.fromEntries(c.regs.map((v, i) => [`r${i}`, v])),
              sp: SP,
              lr: LR,
              pc: CODE,
              xpsr: 0x01000000,
            },
            memory: c.memory,
          });
          equal(
            sim.stop,
            "bkpt",
            `interpreter stopped by ${sim.stop} ${JSON.stringify(sim.fault)}`,
          );
          equal(qemuRegs.r0, c.endR0, "QEMU ran the program to its end");
          deepEqual(hexRegs(sim.registers), hexRegs(qemuRegs));
          sim.memory.forEach((m, i) =>
            deepEqual(m.data, qemuMem[i], `memory at 0x${m.address.toString(16)}`)
          );
        });
      }
    } finally {
      await d.close();
      await q.stop();
    }
  },
});

function hexRegs(r: Record<string, number>): Record<string, string> {
  return Object.fromEntries(REGISTER_NAMES.map((n) => [n, (r[n] >>> 0).toString(16)]));
}

Deno.test("committed test programs equal a fresh build", async () => {
  if (!(await toolchainAvailable())) {
    console.log(
      "skipping rebuild: arm-none-eabi-as not installed (apt-get install gcc-arm-none-eabi)",
    );
    return;
  }
  const built = await buildPrograms();
  for (const name of PROGRAMS) deepEqual(built.get(name), await loadProgram(name), name);
});
