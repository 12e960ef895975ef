import { deepEqual as assertEquals } from "node:assert/strict";
import { BKPT, run } from "./test_util.ts";
import { runProgram } from "./run_program.ts";

const RAM = 0x20001000;
const words = (...w: number[]) => new Uint8Array(new Uint32Array(w).buffer);

Deno.test("LDR literal uses Align(PC, 4)", () => {
  // 0: LDR r0,[pc,#4] → 0x20000008; 2: LDR r1,[pc,#0] → 0x20000004; 4: BKPT
  const out = runProgram({
    code: [0x4801, 0x4900, BKPT, 0, 0x5678, 0x1234],
    loadAddress: 0x20000000,
  });
  assertEquals(out.registers.r0, 0x12345678);
  assertEquals(out.registers.r1, 0x0000be00);
  assertEquals(out.cycles, 4);
});

Deno.test("register-offset loads and stores, sign and zero extension", () => {
  const out = run(
    [0x5042, 0x5c43, 0x5644, 0x5a45, 0x5e46, 0x5441, 0x5847],
    { r0: RAM, r1: 4, r2: 0xaabbccdd },
  );
  assertEquals(out.registers.r3, 0xdd); // LDRB
  assertEquals(out.registers.r4, 0xffffffdd); // LDRSB
  assertEquals(out.registers.r5, 0xccdd); // LDRH
  assertEquals(out.registers.r6, 0xffffccdd); // LDRSH
  assertEquals(out.registers.r7, 0xaabbcc04); // STRB r1 then LDR
  assertEquals(out.cycles, 7 * 2);
  const strh = run([0x5242], { r0: RAM, r1: 4, r2: 0x12345678 }, [
    { address: RAM + 4, data: words(0xffffffff) },
  ]);
  assertEquals(strh.memory[0].data, words(0xffff5678));
});

Deno.test("immediate-offset word, byte and halfword forms scale the offset", () => {
  // STR r1,[r0,#4]; LDR r2,[r0,#4]; STRB r1,[r0,#31]; LDRB r3,[r0,#31];
  // STRH r1,[r0,#62]; LDRH r4,[r0,#62]
  const out = run([0x6041, 0x6842, 0x77c1, 0x7fc3, 0x87c1, 0x8fc4], {
    r0: RAM,
    r1: 0x87654321,
  });
  assertEquals(out.registers.r2, 0x87654321);
  assertEquals(out.registers.r3, 0x21);
  assertEquals(out.registers.r4, 0x4321);
});

Deno.test("SP-relative LDR/STR", () => {
  const out = run([0x9102, 0x9a02], { sp: RAM, r1: 0xcafef00d }); // STR r1,[sp,#8]; LDR r2
  assertEquals(out.registers.r2, 0xcafef00d);
});

Deno.test("unaligned and unmapped accesses fault at the instruction", () => {
  const unaligned = run([0x2000, 0x6802], { r0: RAM + 2 }); // MOVS r0,#0 … no: LDR r2,[r0]
  assertEquals(unaligned.stop, "bkpt"); // MOVS r0,#0 made it aligned (0)
  const bad = run([0x6802], { r0: RAM + 2 });
  assertEquals(bad.stop, "fault");
  assertEquals(bad.fault?.kind, "unaligned");
  assertEquals(bad.fault?.address, RAM + 2);
  assertEquals(bad.registers.pc, 0x20000000);
  const half = run([0x8802], { r0: RAM + 1 }); // LDRH r2,[r0]
  assertEquals(half.fault?.kind, "unaligned");
  const unmapped = run([0x2101, 0x6802], { r0: 0x30000000 });
  assertEquals(unmapped.fault?.kind, "bus");
  assertEquals(unmapped.fault?.address, 0x30000000);
  assertEquals(unmapped.registers.pc, 0x20000002);
  assertEquals(unmapped.registers.r1, 1);
});

Deno.test("STM/LDM write back; LDM with the base in the list does not", () => {
  // STM r0!,{r1,r2,r3}; LDM r4!,{r5,r6,r7}
  const out = run([0xc00e, 0xcce0], { r0: RAM, r1: 1, r2: 2, r3: 3, r4: RAM });
  assertEquals(out.registers.r0, RAM + 12);
  assertEquals(out.registers.r4, RAM + 12);
  assertEquals([out.registers.r5, out.registers.r6, out.registers.r7], [1, 2, 3]);
  assertEquals(out.cycles, 4 + 4);
  const noWb = run([0xc803], { r0: RAM }, [{ address: RAM, data: words(0x11, 0x22) }]);
  assertEquals([noWb.registers.r0, noWb.registers.r1], [0x11, 0x22]);
});

Deno.test("PUSH/POP including LR and PC, with M0 cycle counts", () => {
  // 0 PUSH {r0,r1,lr}; 2 POP {r2,r3}; 4 POP {pc}; … 0x10: BKPT
  const code = [0xb503, 0xbc0c, 0xbd00, 0xbf00, 0xbf00, 0xbf00, 0xbf00, 0xbf00, BKPT];
  const out = runProgram({
    code,
    loadAddress: 0x20000000,
    registers: { r0: 7, r1: 8, lr: 0x20000011, sp: RAM },
  });
  assertEquals(out.stop, "bkpt");
  assertEquals(out.registers.pc, 0x20000010);
  assertEquals([out.registers.r2, out.registers.r3], [7, 8]);
  assertEquals(out.registers.sp, RAM);
  assertEquals(out.cycles, 4 + 3 + 5);
  // POP {pc} of an even address clears T: the next instruction faults (INVSTATE)
  const even = runProgram({
    code,
    loadAddress: 0x20000000,
    registers: { lr: 0x20000010, sp: RAM },
  });
  assertEquals(even.fault?.kind, "invstate");
  assertEquals(even.registers.pc, 0x20000010);
});
