import { deepEqual as assertEquals } from "node:assert/strict";
import { run } from "./test_util.ts";

Deno.test("ADR and ADD Rd, SP, #imm", () => {
  // ADR r0,+4; ADR r1,+0; ADD r2,sp,#16
  const out = run([0xa001, 0xa100, 0xaa04], { sp: 0x20001000 });
  assertEquals(out.registers.r0, 0x20000008);
  assertEquals(out.registers.r1, 0x20000004);
  assertEquals(out.registers.r2, 0x20001010);
});

Deno.test("ADD/SUB SP, #imm7*4", () => {
  const out = run([0xb07f, 0xb081], { sp: 0x20001000 }); // ADD sp,#508; SUB sp,#4
  assertEquals(out.registers.sp, 0x20001000 + 508 - 4);
});

Deno.test("SXTH, SXTB, UXTH, UXTB", () => {
  const x = { r1: 0x12348786 };
  assertEquals(run([0xb208], x).registers.r0, 0xffff8786);
  assertEquals(run([0xb248], x).registers.r0, 0xffffff86);
  assertEquals(run([0xb288], x).registers.r0, 0x8786);
  assertEquals(run([0xb2c8], x).registers.r0, 0x86);
});

Deno.test("REV, REV16, REVSH; 0xBA80 is undefined", () => {
  assertEquals(run([0xba08], { r1: 0x12345678 }).registers.r0, 0x78563412);
  assertEquals(run([0xba48], { r1: 0x12345678 }).registers.r0, 0x34127856);
  assertEquals(run([0xbac8], { r1: 0x12345680 }).registers.r0, 0xffff8056);
  assertEquals(run([0xbac8], { r1: 0x12347f01 }).registers.r0, 0x017f);
  assertEquals(run([0xba88]).fault?.kind, "undefined");
});

Deno.test("CPSID/CPSIE set PRIMASK (read back with MRS)", () => {
  // CPSID i; MRS r0,PRIMASK; CPSIE i; MRS r1,PRIMASK
  const out = run([0xb672, 0xf3ef, 0x8010, 0xb662, 0xf3ef, 0x8110]);
  assertEquals([out.registers.r0, out.registers.r1], [1, 0]);
  assertEquals(out.cycles, 1 + 4 + 1 + 4);
});

Deno.test("BKPT halts on itself; hints; IT and CBZ encodings are undefined", () => {
  const out = run([0xbf00, 0xbf10]); // NOP, YIELD
  assertEquals(out.stop, "bkpt");
  assertEquals(out.registers.pc, 0x20000004);
  assertEquals(out.cycles, 2);
  assertEquals(run([0xbf30]).stop, "sleep"); // WFI
  const sevWfe = run([0xbf40, 0xbf20, 0x2005]); // SEV; WFE consumes the event; MOVS r0,#5
  assertEquals([sevWfe.stop, sevWfe.registers.r0], ["bkpt", 5]);
  assertEquals(run([0xbf20]).stop, "sleep"); // WFE with no event
  assertEquals(run([0xbf08]).fault?.kind, "undefined"); // IT
  assertEquals(run([0xb100]).fault?.kind, "undefined"); // CBZ (ARMv7-M only)
});

Deno.test("unprivileged code cannot change PRIMASK or CONTROL", () => {
  // MSR CONTROL,r0 (nPRIV); CPSID i; MSR CONTROL,r1; MRS r2,PRIMASK; MRS r3,CONTROL
  const out = run([0xf380, 0x8814, 0xb672, 0xf381, 0x8814, 0xf3ef, 0x8210, 0xf3ef, 0x8314], {
    r0: 1,
    r1: 0,
  });
  assertEquals([out.registers.r2, out.registers.r3], [0, 1]);
});
