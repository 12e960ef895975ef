import { deepEqual as assertEquals } from "node:assert/strict";
import { flags, psr, run } from "./test_util.ts";

Deno.test("LSLS #imm: carry is the last bit shifted out; #0 is MOVS and keeps C", () => {
  // MOVS r0,#0x80; LSLS r1,r0,#24; LSLS r2,r1,#1
  const out = run([0x2080, 0x0601, 0x004a]);
  assertEquals(out.registers.r1, 0x80000000);
  assertEquals(out.registers.r2, 0);
  assertEquals(flags(out), "nZCv");
  // MOVS r0, r1 (LSLS #0) with C set on entry: C stays, N from the value
  const mov = run([0x0008], { r1: 0x80000000, xpsr: psr("C") });
  assertEquals(mov.registers.r0, 0x80000000);
  assertEquals(flags(mov), "NzCv");
});

Deno.test("LSRS/ASRS #imm: imm5 = 0 encodes a shift by 32", () => {
  // LSRS r1,r0,#32; ASRS r2,r0,#32
  const out = run([0x0801, 0x1002], { r0: 0x80000000 });
  assertEquals(out.registers.r1, 0);
  assertEquals(out.registers.r2, 0xffffffff);
  assertEquals(flags(out), "NzCv");
  // LSRS r1,r0,#4 on 0x18: 1, C = bit 3 = 1
  const lsr = run([0x0901], { r0: 0x18 });
  assertEquals(lsr.registers.r1, 1);
  assertEquals(flags(lsr), "nzCv");
});

Deno.test("ADDS/SUBS register and imm3: signed overflow and borrow", () => {
  // ADDS r2,r0,r1: 0x7fffffff + 1
  const add = run([0x1842], { r0: 0x7fffffff, r1: 1 });
  assertEquals(add.registers.r2, 0x80000000);
  assertEquals(flags(add), "NzcV");
  // SUBS r2,r0,r1: 0 - 1 borrows (C clear)
  const sub = run([0x1a42], { r0: 0, r1: 1 });
  assertEquals(sub.registers.r2, 0xffffffff);
  assertEquals(flags(sub), "Nzcv");
  // SUBS r3,r1,#1: 1 - 1 = 0, no borrow
  const subi = run([0x1e4b], { r1: 1 });
  assertEquals(subi.registers.r3, 0);
  assertEquals(flags(subi), "nZCv");
  // ADDS r3,r1,#7: 0xfffffffc + 7 carries out
  const addi = run([0x1dcb], { r1: 0xfffffffc });
  assertEquals(addi.registers.r3, 3);
  assertEquals(flags(addi), "nzCv");
});

Deno.test("MOVS/CMP/ADDS/SUBS #imm8", () => {
  // MOVS r3,#255; ADDS r3,#1; SUBS r3,#255; CMP r3,#1
  const out = run([0x23ff, 0x3301, 0x3bff, 0x2b01]);
  assertEquals(out.registers.r3, 1);
  assertEquals(flags(out), "nZCv");
  // MOVS keeps C and V
  const mov = run([0x2000], { xpsr: psr("CV") });
  assertEquals(flags(mov), "nZCV");
});

Deno.test("ADCS: carry in, carry out and overflow", () => {
  const a = run([0x4148], { r0: 0xffffffff, r1: 0, xpsr: psr("C") }); // ADCS r0,r1
  assertEquals(a.registers.r0, 0);
  assertEquals(flags(a), "nZCv");
  const b = run([0x4148], { r0: 0x7fffffff, r1: 0, xpsr: psr("C") });
  assertEquals(b.registers.r0, 0x80000000);
  assertEquals(flags(b), "NzcV");
  const c = run([0x4148], { r0: 0x80000000, r1: 0x80000000 });
  assertEquals(c.registers.r0, 0);
  assertEquals(flags(c), "nZCV");
});

Deno.test("SBCS: C clear means borrow", () => {
  const a = run([0x4188], { r0: 0, r1: 0 }); // SBCS r0,r1 with C = 0
  assertEquals(a.registers.r0, 0xffffffff);
  assertEquals(flags(a), "Nzcv");
  const b = run([0x4188], { r0: 0x80000000, r1: 0 });
  assertEquals(b.registers.r0, 0x7fffffff);
  assertEquals(flags(b), "nzCV");
  const c = run([0x4188], { r0: 5, r1: 3, xpsr: psr("C") });
  assertEquals(c.registers.r0, 2);
  assertEquals(flags(c), "nzCv");
});

Deno.test("shifts by register use Rm[7:0] and handle amounts of 0, 32 and above", () => {
  const x = 0x80000001;
  const lsl = (n: number, xpsr = psr("")) => run([0x4088], { r0: x, r1: n, xpsr }); // LSLS r0,r1
  assertEquals([lsl(32).registers.r0, flags(lsl(32))], [0, "nZCv"]);
  assertEquals([lsl(33).registers.r0, flags(lsl(33))], [0, "nZcv"]);
  assertEquals([lsl(0, psr("C")).registers.r0, flags(lsl(0, psr("C")))], [x, "NzCv"]);
  assertEquals([lsl(0x120).registers.r0, flags(lsl(0x120))], [0, "nZCv"]);
  assertEquals([lsl(1).registers.r0, flags(lsl(1))], [2, "nzCv"]);
  const lsr32 = run([0x40c8], { r0: x, r1: 32 }); // LSRS r0,r1
  assertEquals([lsr32.registers.r0, flags(lsr32)], [0, "nZCv"]);
  const lsr40 = run([0x40c8], { r0: x, r1: 40 });
  assertEquals([lsr40.registers.r0, flags(lsr40)], [0, "nZcv"]);
  const asr40 = run([0x4108], { r0: x, r1: 40 }); // ASRS r0,r1
  assertEquals([asr40.registers.r0, flags(asr40)], [0xffffffff, "NzCv"]);
  const asr1 = run([0x4108], { r0: 0x40000001, r1: 1 });
  assertEquals([asr1.registers.r0, flags(asr1)], [0x20000000, "nzCv"]);
  const ror32 = run([0x41c8], { r0: x, r1: 32 }); // RORS r0,r1
  assertEquals([ror32.registers.r0, flags(ror32)], [x, "NzCv"]);
  const ror4 = run([0x41c8], { r0: x, r1: 4 });
  assertEquals([ror4.registers.r0, flags(ror4)], [0x18000000, "nzcv"]);
  const ror0 = run([0x41c8], { r0: 0, r1: 0, xpsr: psr("C") });
  assertEquals([ror0.registers.r0, flags(ror0)], [0, "nZCv"]);
});

Deno.test("RSBS (NEG), CMP, CMN", () => {
  const neg = run([0x4248], { r1: 0x80000000 }); // RSBS r0,r1,#0
  assertEquals([neg.registers.r0, flags(neg)], [0x80000000, "NzcV"]);
  const neg0 = run([0x4248], { r1: 0 });
  assertEquals([neg0.registers.r0, flags(neg0)], [0, "nZCv"]);
  const neg5 = run([0x4248], { r1: 5 });
  assertEquals([neg5.registers.r0, flags(neg5)], [0xfffffffb, "Nzcv"]);
  assertEquals(flags(run([0x4288], { r0: 5, r1: 7 })), "Nzcv"); // CMP r0,r1
  assertEquals(flags(run([0x4288], { r0: 0x80000000, r1: 1 })), "nzCV");
  assertEquals(flags(run([0x42c8], { r0: 1, r1: 0xffffffff })), "nZCv"); // CMN r0,r1
});

Deno.test("MULS keeps C and V; logical ops keep C and V", () => {
  const mul = run([0x4348], { r0: 0x10000, r1: 0x10001, xpsr: psr("CV") }); // MULS r0,r1,r0
  assertEquals([mul.registers.r0, flags(mul)], [0x10000, "nzCV"]);
  const mulNeg = run([0x4348], { r0: 0xffffffff, r1: 3 });
  assertEquals([mulNeg.registers.r0, flags(mulNeg)], [0xfffffffd, "Nzcv"]);
  const a = 0xf0f0f0f0, b = 0xff00ff00;
  const op = (h: number) => run([h], { r0: a, r1: b, xpsr: psr("CV") });
  assertEquals([op(0x4008).registers.r0, flags(op(0x4008))], [0xf000f000, "NzCV"]); // ANDS
  assertEquals([op(0x4048).registers.r0, flags(op(0x4048))], [0x0ff00ff0, "nzCV"]); // EORS
  assertEquals([op(0x4308).registers.r0, flags(op(0x4308))], [0xfff0fff0, "NzCV"]); // ORRS
  assertEquals([op(0x4388).registers.r0, flags(op(0x4388))], [0x00f000f0, "nzCV"]); // BICS
  assertEquals([op(0x43c8).registers.r0, flags(op(0x43c8))], [0x00ff00ff, "nzCV"]); // MVNS
  const tst = run([0x4208], { r0: 0x0f, r1: 0xf0 }); // TST r0,r1
  assertEquals([tst.registers.r0, flags(tst)], [0x0f, "nZcv"]);
});

Deno.test("high registers: MOV, ADD, CMP, reading PC", () => {
  // MOV r8,r0; ADD r0,r8; CMP r8,r0; MOV r1,pc
  const out = run([0x4680, 0x4440, 0x4580, 0x4679], { r0: 3 });
  assertEquals(out.registers.r8, 3);
  assertEquals(out.registers.r0, 6);
  assertEquals(flags(out), "Nzcv"); // 3 - 6
  assertEquals(out.registers.r1, 0x20000006 + 4);
  // ADD sp, r1 (0x448d) keeps SP word-aligned
  const sp = run([0x448d], { sp: 0x20001000, r1: 7 });
  assertEquals(sp.registers.sp, 0x20001004);
  // MOV pc, r2 (0x4697) branches; bit 0 ignored
  const br = run([0x4697, 0x2001, 0x2002], { r2: 0x20000005 });
  assertEquals(br.registers.r0, 2);
});
