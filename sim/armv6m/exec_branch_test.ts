import { deepEqual as assertEquals } from "node:assert/strict";
import { BKPT, psr, run } from "./test_util.ts";
import { runProgram } from "./run_program.ts";

Deno.test("B<cond> taken costs 3 cycles, not taken 1 (Cortex-M0)", () => {
  // CMP r0,#0; BEQ over the next instruction; MOVS r1,#1; MOVS r2,#2
  const code = [0x2800, 0xd000, 0x2101, 0x2202];
  const taken = run(code, { r0: 0 });
  assertEquals([taken.registers.r1, taken.registers.r2, taken.cycles], [0, 2, 5]);
  const not = run(code, { r0: 1 });
  assertEquals([not.registers.r1, not.registers.r2, not.cycles], [1, 2, 4]);
});

Deno.test("every condition code against the flags", () => {
  // [cond, flags, taken]
  const cases: [number, string, boolean][] = [
    [0, "Z", true],
    [0, "", false],
    [1, "", true],
    [1, "Z", false],
    [2, "C", true],
    [2, "", false],
    [3, "", true],
    [3, "C", false],
    [4, "N", true],
    [4, "", false],
    [5, "", true],
    [5, "N", false],
    [6, "V", true],
    [6, "", false],
    [7, "", true],
    [7, "V", false],
    [8, "C", true],
    [8, "CZ", false],
    [8, "", false],
    [9, "Z", true],
    [9, "", true],
    [9, "C", false],
    [10, "NV", true],
    [10, "", true],
    [10, "N", false],
    [11, "N", true],
    [11, "V", true],
    [11, "NV", false],
    [12, "", true],
    [12, "NV", true],
    [12, "Z", false],
    [12, "N", false],
    [13, "Z", true],
    [13, "V", true],
    [13, "", false],
    [13, "NV", false],
  ]; // deno-fmt-ignore
  for (const [cond, f, taken] of cases) {
    const out = run([0xd000 | (cond << 8), 0x2101], { xpsr: psr(f) });
    assertEquals(out.registers.r1 === 0, taken, `cond ${cond} flags "${f}"`);
  }
});

Deno.test("backward loop: MOVS r0,#5; SUBS r0,#1; BNE -2", () => {
  const out = run([0x2005, 0x3801, 0xd1fd]);
  assertEquals(out.registers.r0, 0);
  assertEquals(out.cycles, 1 + 5 * 1 + 4 * 3 + 1);
});

Deno.test("B, BL forwards and backwards, BX LR", () => {
  // 0: B 8; 2: MOVS r0,#9; 4: BX lr; 6: NOP; 8: BL 2; 12: BKPT
  const out = runProgram({
    code: [0xe002, 0x2009, 0x4770, 0xbf00, 0xf7ff, 0xfffb, BKPT],
    loadAddress: 0x20000000,
  });
  assertEquals(out.stop, "bkpt");
  assertEquals(out.registers.r0, 9);
  assertEquals(out.registers.pc, 0x2000000c);
  assertEquals(out.registers.lr, 0x2000000d);
  assertEquals(out.cycles, 3 + 4 + 1 + 3);
  // BL +4: F000 F802 from 0 → 8, LR = 5
  const fwd = run([0xf000, 0xf802, BKPT, 0xbf00, 0x2007, 0x4770]);
  assertEquals([fwd.registers.r0, fwd.registers.lr, fwd.registers.pc], [7, 0x20000005, 0x20000004]);
});

Deno.test("BLX Rm sets LR; BX to an even address faults with INVSTATE", () => {
  const blx = run([0x4788, 0xbf00, BKPT, 0x200c, 0x4770], { r1: 0x20000007 });
  // BLX r1 → 6 (MOVS r0,#12; BX lr) → returns to 2 (NOP) → BKPT at 4
  assertEquals([blx.registers.r0, blx.registers.lr, blx.registers.pc], [
    12,
    0x20000003,
    0x20000004,
  ]);
  const bad = run([0x4708], { r1: 0x20000004 }); // BX r1 (even)
  assertEquals(bad.fault?.kind, "invstate");
  assertEquals(bad.registers.pc, 0x20000004);
  assertEquals(bad.registers.xpsr & 0x01000000, 0);
});

Deno.test("MSR/MRS: APSR flags, CONTROL.SPSEL switches to PSP, MSP readable", () => {
  // MSR APSR,r0; MRS r1,APSR; MSR PSP,r2; MSR CONTROL,r3; MRS r4,MSP; MOV r5,sp (0x466d)
  const out = run([
    0xf380,
    0x8800,
    0xf3ef,
    0x8100,
    0xf382,
    0x8809,
    0xf383,
    0x8814,
    0xf3ef,
    0x8408,
    0x466d,
  ], {
    r0: 0xf0000000,
    r2: 0x20002000,
    r3: 2,
    sp: 0x20001000,
  });
  assertEquals(out.registers.r1, 0xf0000000);
  assertEquals(out.registers.r4, 0x20001000);
  assertEquals(out.registers.r5, 0x20002000);
  assertEquals(out.registers.xpsr, psr("NZCV"));
  assertEquals(out.cycles, 5 * 4 + 1);
});

Deno.test("barriers take 4 cycles; UDF, UDF.W and SVC fault", () => {
  const b = run([0xf3bf, 0x8f5f, 0xf3bf, 0x8f4f, 0xf3bf, 0x8f6f]);
  assertEquals([b.stop, b.cycles], ["bkpt", 12]);
  assertEquals(run([0xde00]).fault?.kind, "undefined");
  assertEquals(run([0xf7f0, 0xa000]).fault?.kind, "undefined");
  assertEquals(run([0xdf00]).fault?.kind, "svc");
  assertEquals(run([0xe800, 0x0000]).fault?.kind, "undefined");
});
