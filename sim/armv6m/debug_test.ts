import { deepEqual as assertEquals } from "node:assert/strict";
import { MemoryMap, RamRegion } from "./bus.ts";
import { Cpu } from "./cpu.ts";
import { DHCSR, SystemControlSpace } from "./debug.ts";

const DHCSR_ADDR = 0xe000edf0, DCRSR = 0xe000edf4, DCRDR = 0xe000edf8, DEMCR = 0xe000edfc;
const DFSR = 0xe000ed30, AIRCR = 0xe000ed0c;

function core(code: number[]) {
  const bus = new MemoryMap();
  const ram = new RamRegion("ram", 0x20000000, 0x1000);
  const vectors = new RamRegion("flash", 0, 0x100);
  let resets = 0;
  const cpu = new Cpu(bus);
  const scs = new SystemControlSpace(cpu, 0x410cc200, () => {
    resets++;
    cpu.reset();
  });
  bus.add(vectors).add(ram).add(scs);
  bus.write(0, 4, 0x20000800);
  bus.write(4, 4, 0x20000001);
  code.forEach((h, i) => bus.write(0x20000000 + 2 * i, 2, h));
  cpu.reset();
  const rd = (a: number) => bus.read(a, 4);
  const wr = (a: number, v: number) => bus.write(a, 4, v);
  return { cpu, rd, wr, resets: () => resets };
}

Deno.test("DHCSR ignores writes without DBGKEY; halting sets S_HALT and DFSR.HALTED", () => {
  const { cpu, rd, wr } = core([0xe7fe]);
  wr(DHCSR_ADDR, 0x00000003);
  assertEquals(cpu.halted, false);
  wr(DHCSR_ADDR, 0xa05f0003);
  assertEquals(rd(DHCSR_ADDR) & 0x000f0003, DHCSR.S_HALT | DHCSR.S_REGRDY | 3);
  assertEquals(rd(DFSR), 1);
  wr(DFSR, 1);
  assertEquals(rd(DFSR), 0);
  wr(DHCSR_ADDR, 0xa05f0001);
  assertEquals(cpu.halted, false);
});

Deno.test("C_STEP executes exactly one instruction and halts again", () => {
  const { cpu, wr } = core([0x2001, 0x2002, 0xe7fe]); // movs r0,#1; movs r0,#2; b .
  wr(DHCSR_ADDR, 0xa05f0003);
  wr(DHCSR_ADDR, 0xa05f0005);
  assertEquals([cpu.r[0], cpu.r[15], cpu.halted], [1, 0x20000002, true]);
  wr(DHCSR_ADDR, 0xa05f0005);
  assertEquals([cpu.r[0], cpu.r[15], cpu.halted], [2, 0x20000004, true]);
});

Deno.test("DCRSR/DCRDR transfer registers only in Debug state (S_REGRDY)", () => {
  const { rd, wr } = core([0xe7fe]);
  wr(DHCSR_ADDR, 0xa05f0001);
  wr(DCRSR, 0);
  assertEquals(rd(DHCSR_ADDR) & DHCSR.S_REGRDY, 0);
  wr(DHCSR_ADDR, 0xa05f0003);
  wr(DCRDR, 0xcafe0001);
  wr(DCRSR, 0x10000 | 3);
  wr(DCRSR, 3);
  assertEquals([rd(DCRDR), rd(DHCSR_ADDR) & DHCSR.S_REGRDY], [0xcafe0001, DHCSR.S_REGRDY]);
  wr(DCRSR, 16); // xPSR: Thumb bit from the reset vector
  assertEquals(rd(DCRDR), 0x01000000);
  wr(DCRSR, 13);
  assertEquals(rd(DCRDR), 0x20000800);
});

Deno.test("VC_CORERESET + SYSRESETREQ halts at the reset handler; S_RESET_ST clears on read", () => {
  const { cpu, rd, wr, resets } = core([0x2005, 0xe7fe]);
  wr(DHCSR_ADDR, 0xa05f0001);
  rd(DHCSR_ADDR); // clear the power-on S_RESET_ST
  wr(DEMCR, 1);
  wr(AIRCR, 0x00000004); // no VECTKEY: ignored
  assertEquals(resets(), 0);
  wr(AIRCR, 0x05fa0004);
  assertEquals(resets(), 1);
  const first = rd(DHCSR_ADDR);
  assertEquals([(first & DHCSR.S_RESET_ST) !== 0, (first & DHCSR.S_HALT) !== 0], [true, true]);
  assertEquals(rd(DHCSR_ADDR) & DHCSR.S_RESET_ST, 0);
  assertEquals([cpu.r[15], rd(DFSR) & 8], [0x20000000, 8]);
});

Deno.test("BKPT without C_DEBUGEN locks the core up (no HardFault handler is modelled)", () => {
  const { cpu, rd } = core([0xbe00]);
  cpu.run(100);
  assertEquals([cpu.lockup, cpu.fault?.kind], [true, "bkpt"]);
  assertEquals(rd(DHCSR_ADDR) & DHCSR.S_LOCKUP, DHCSR.S_LOCKUP);
});

Deno.test("single-stepping a `b .` advances one instruction's time, not to infinity", () => {
  const { cpu, wr } = core([0xe7fe]);
  wr(DHCSR_ADDR, 0xa05f0003);
  const before = cpu.time.cycles;
  wr(DHCSR_ADDR, 0xa05f0005);
  assertEquals([cpu.r[15], cpu.time.cycles - before], [0x20000000, 3]);
});
