/**
 * The GDB Cortex-M link against a real CPU model: QEMU's micro:bit (nRF51822) running
 * Debian's MicroPython image. Skips with a reason when QEMU or the image is absent.
 */
import {
  deepEqual as assertEquals,
  ok as assert,
  rejects as assertRejects,
} from "node:assert/strict";
import { createContext, DeviceError, TimeoutError } from "../kernel/mod.ts";
import { Reg } from "../probes/cortexm/debug.ts";
import { GdbCortexMDebug, openTcpStream } from "../probes/gdb/mod.ts";
import {
  DEBIAN_MICROPYTHON_HEX,
  flashFromHex,
  type QemuMicrobit,
  qemuMissing,
  startQemuMicrobit,
} from "./qemu/harness.ts";
import { loadProgram } from "./qemu/programs/build.ts";

const missing = await qemuMissing();
let firmware: Uint8Array | undefined;
try {
  firmware = flashFromHex(await Deno.readTextFile(DEBIAN_MICROPYTHON_HEX), "firmware.hex");
} catch {
  firmware = undefined;
}
const skip = missing ?? (firmware ? undefined : `${DEBIAN_MICROPYTHON_HEX} is absent`);
if (skip) console.log(`skipping QEMU GDB tests: ${skip}`);

async function withQemu(fn: (q: QemuMicrobit, d: GdbCortexMDebug) => Promise<void>) {
  const q = await startQemuMicrobit(firmware);
  const ctx = createContext();
  let d: GdbCortexMDebug | undefined;
  try {
    d = await GdbCortexMDebug.connect(ctx, await openTcpStream(q.address));
    await fn(q, d);
  } finally {
    await d?.close();
    await q.stop();
  }
}

Deno.test({
  name: "qemu microbit: target.xml layout, vector table, reset state",
  ignore: !!skip,
  fn: () =>
    withQemu(async (q, d) => {
      const ctx = createContext();
      assert(d.qemu, "QEMU gdbstub detected from target.xml");
      assertEquals(d.layout.source, "target.xml");
      assertEquals(d.layout.registers.find((r) => r.name === "xpsr")?.regnum, 25);
      assertEquals(await d.readMemory(ctx, 0, 256), q.flash.subarray(0, 256));
      const resetVector = new DataView(q.flash.buffer).getUint32(4, true);
      assertEquals(await d.readRegister(ctx, Reg.PC), resetVector & ~1);
      assertEquals(
        await d.readRegister(ctx, Reg.SP),
        new DataView(q.flash.buffer).getUint32(0, true),
      );
      // A 3 KiB read spans several packets.
      assertEquals(await d.readMemory(ctx, 0x1000, 3072), q.flash.subarray(0x1000, 0x1c00));
    }),
});

Deno.test({
  name: "qemu microbit: RAM writes with escaped bytes, registers, run a function",
  ignore: !!skip,
  fn: () =>
    withQemu(async (_q, d) => {
      const ctx = createContext();
      const data = new Uint8Array(2000).map((_, i) => [0x23, 0x24, 0x7d, 0x2a, i & 0xff][i % 5]);
      await d.writeMemory(ctx, 0x20001000, data);
      assertEquals(await d.readMemory(ctx, 0x20001000, data.length), data);
      await d.writeRegister(ctx, 5, 0xdeadbeef);
      assertEquals(await d.readRegister(ctx, 5), 0xdeadbeef);
      await d.writeWord(ctx, 0x20000800, 0x12345678);
      assertEquals(await d.readWord(ctx, 0x20000800), 0x12345678);
      // adds r0, r0, r1 ; bkpt #1
      await d.writeMemory(ctx, 0x20000000, Uint8Array.of(0x40, 0x18, 0x01, 0xbe));
      const r0 = await d.runFunction(ctx, {
        entry: 0x20000000,
        sp: 0x20002000,
        args: [40, 2],
        lr: 0x20000003,
        timeoutMs: 2000,
      });
      assertEquals(r0, 42);
      assertEquals(await d.readRegister(ctx, Reg.PC), 0x20000002);
    }),
});

Deno.test({
  name: "qemu microbit: NVMC erases a page and programs words (CPU stores, not debug writes)",
  ignore: !!skip,
  fn: () =>
    withQemu(async (q, d) => {
      const ctx = createContext();
      const page = 0x3e000;
      await d.writeMemory(ctx, 0x20000000, await loadProgram("nvmc_page"));
      await d.runFunction(ctx, {
        entry: 0x20000000,
        sp: 0x20002000,
        args: [page, 0x12345678, 0xffff0000],
        lr: 0x20000019, // the program's bkpt
        timeoutMs: 2000,
      });
      const after = await d.readMemory(ctx, page, 1024);
      const expected = new Uint8Array(1024).fill(0xff);
      expected.set([0x78, 0x56, 0x34, 0x12, 0x00, 0x00, 0xff, 0xff]);
      assertEquals(after, expected);
      // Flash is kept across a reset; the core halts at the reset vector.
      await d.resetAndHalt(ctx);
      assertEquals(await d.readMemory(ctx, page, 8), expected.subarray(0, 8));
      const resetVector = new DataView(q.flash.buffer).getUint32(4, true);
      assertEquals(await d.readRegister(ctx, Reg.PC), resetVector & ~1);
    }),
});

Deno.test({
  name: "qemu microbit: peripheral writes reach MMIO (NVMC.CONFIG, UICR) and keep core state",
  ignore: !!skip,
  fn: () =>
    withQemu(async (_q, d) => {
      const ctx = createContext();
      const pc = await d.readRegister(ctx, Reg.PC), r0 = await d.readRegister(ctx, Reg.R0);
      await d.writeWord(ctx, 0x4001e504, 1); // NVMC.CONFIG = WEN
      assertEquals(await d.readWord(ctx, 0x4001e504), 1);
      await d.writeWord(ctx, 0x10001080, 0x12345678); // UICR.CUSTOMER[0]
      await d.writeWord(ctx, 0x4001e504, 0);
      assertEquals(await d.readWord(ctx, 0x10001080), 0x12345678);
      assertEquals(await d.readWord(ctx, 0x4001e504), 0);
      assertEquals(await d.readRegister(ctx, Reg.PC), pc);
      assertEquals(await d.readRegister(ctx, Reg.R0), r0);
    }),
});

Deno.test({
  name: "qemu microbit: a function that faults is reported at once with the faulting pc",
  ignore: !!skip,
  fn: () =>
    withQemu(async (_q, d) => {
      const ctx = createContext();
      // movs r0, #1 ; udf #0 (undefined: HardFault on ARMv6-M) ; bkpt
      await d.writeMemory(ctx, 0x20000000, Uint8Array.of(0x01, 0x20, 0x00, 0xde, 0x00, 0xbe));
      await assertRejects(
        () =>
          d.runFunction(ctx, {
            entry: 0x20000000,
            sp: 0x20002000,
            args: [],
            lr: 0x20000005,
            timeoutMs: 5000,
          }),
        (e: Error) => e instanceof DeviceError && /HardFault at pc 0x20000002/.test(e.message),
      );
    }),
});

Deno.test({
  name: "qemu microbit: a function that never halts times out and leaves the core halted",
  ignore: !!skip,
  fn: () =>
    withQemu(async (_q, d) => {
      const ctx = createContext();
      await d.writeMemory(ctx, 0x20000000, Uint8Array.of(0xfe, 0xe7)); // b .
      await assertRejects(
        () =>
          d.runFunction(ctx, {
            entry: 0x20000000,
            sp: 0x20002000,
            args: [],
            lr: 0x20000101,
            timeoutMs: 300,
          }),
        TimeoutError,
      );
      assert(await d.isHalted(ctx));
      assertEquals(await d.readRegister(ctx, Reg.PC), 0x20000000);
    }),
});

Deno.test({
  name: "qemu microbit: no ROM table (reads as zeros); the connect check finds the SCS directly",
  ignore: !!skip,
  fn: () =>
    withQemu(async (_q, d) => {
      const ctx = createContext();
      // What QEMU 7.2 answers: zeros at the nRF51 ROM tables, an SCS that identifies itself.
      assertEquals(await d.readMemory(ctx, 0xf0000ff0, 16), new Uint8Array(16));
      assertEquals(await d.readMemory(ctx, 0xe00ffff0, 16), new Uint8Array(16));
      const report = d.coreSight!;
      assertEquals([report.romTable, report.scs.address, report.scs.componentClass], [
        false,
        0xe000e000,
        0xe,
      ]);
      assert(report.problems[0].startsWith("no ROM table (no CoreSight component at 0xe00ff000"));
    }),
});
