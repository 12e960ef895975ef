import { deepEqual as assertEquals, ok } from "node:assert/strict";
import { NRF_CHIPS, usToCycles } from "./chips.ts";
import { NrfDevice } from "./device.ts";

// Erase the page at r0, then copy r2 words from r1 into it, polling NVMC READY (from RAM).
const STUB = [
  0x4b09, // ldr r3, =0x4001E500
  0x4d0a, // ldr r5, =0x4001E400
  0x2402, // movs r4, #2
  0x605c, // str r4, [r3, #4]   CONFIG = EEN
  0x6098, // str r0, [r3, #8]   ERASEPAGE = r0
  0x682e, // ldr r6, [r5, #0]   READY
  0x2e00, // cmp r6, #0
  0xd0fc, // beq READY
  0x2401, // movs r4, #1
  0x605c, // str r4, [r3, #4]   CONFIG = WEN
  0xc980, // ldmia r1!, {r7}
  0xc080, // stmia r0!, {r7}
  0x682e, // ldr r6, [r5, #0]
  0x2e00, // cmp r6, #0
  0xd0fc, // beq
  0x3a01, // subs r2, #1
  0xd1f8, // bne copy
  0x2400, // movs r4, #0
  0x605c, // str r4, [r3, #4]   CONFIG = REN
  0xbe00, // bkpt
  0xe500,
  0x4001, // literal 0x4001E500
  0xe400,
  0x4001, // literal 0x4001E400
];

function loadStub(dev: NrfDevice, words: Uint32Array): void {
  STUB.forEach((h, i) => dev.bus.write(0x20000000 + 2 * i, 2, h));
  words.forEach((w, i) => dev.bus.write(0x20001000 + 4 * i, 4, w));
  const cpu = dev.cpu;
  cpu.debugEnabled = true;
  cpu.halt(0);
  cpu.writeCoreRegister(0, 0x400);
  cpu.writeCoreRegister(1, 0x20001000);
  cpu.writeCoreRegister(2, words.length);
  cpu.writeCoreRegister(13, 0x20002000);
  cpu.writeCoreRegister(15, 0x20000000);
  cpu.xpsr = 0x01000000;
  cpu.resume();
}

function runStub(fastForward: boolean) {
  const chip = NRF_CHIPS.nrf51822;
  const flash = new Uint8Array(chip.flashSize).fill(0xff);
  flash.fill(0x00, 0x400, 0x800); // page 1 holds zeros: only an erase makes it writable
  const dev = new NrfDevice(chip, { flash, fastForward });
  const words = new Uint32Array(256).map((_, i) => (0x5a5a0000 | i) >>> 0);
  loadStub(dev, words);
  const start = dev.time.cycles;
  dev.advanceBy(1000);
  ok(dev.cpu.halted, "stub reached its bkpt");
  assertEquals(dev.cpu.fault, null);
  return { dev, words, cycles: cycleAtHalt(dev) - start };
}

function cycleAtHalt(dev: NrfDevice): number {
  return dev.cpu.haltedAt;
}

Deno.test("a RAM stub erases and programs a page through the NVMC, polling READY", () => {
  const { dev, words } = runStub(true);
  assertEquals(new Uint32Array(dev.flash.buffer, 0x400, 256), words);
  assertEquals(dev.nvmc.stats.pageErases, 1);
  assertEquals(dev.nvmc.stats.wordWrites, 256);
  assertEquals(dev.nvmc.config, 0);
});

Deno.test("the stub takes one page erase plus 256 word writes of modelled time", () => {
  const chip = NRF_CHIPS.nrf51822;
  const { cycles } = runStub(true);
  const busy = usToCycles(chip, chip.pageEraseUs) + 256 * usToCycles(chip, chip.wordWriteUs);
  ok(cycles >= busy, `${cycles} ≥ ${busy}`);
  ok(cycles < busy + 256 * 30, `${cycles} within loop overhead of ${busy}`);
});

Deno.test("fast-forwarding READY polls is cycle-exact", () => {
  assertEquals(runStub(true).cycles, runStub(false).cycles);
});

Deno.test("a core stalled on the NVMC never runs ahead of the burst it was given", () => {
  const chip = NRF_CHIPS.nrf51822;
  const dev = new NrfDevice(chip);
  // CONFIG = WEN, then store r2 words back to back (no READY polling: each store stalls)
  const code = [
    0x4b04, // ldr r3, =0x4001E504
    0x2401, // movs r4, #1
    0x601c, // str r4, [r3]
    0x6007, // loop: str r7, [r0]
    0x3004, // adds r0, #4
    0x3a01, // subs r2, #1
    0xd1fb, // bne loop
    0xbe00, // bkpt
    0xbf00, // nop (literal alignment)
    0xbf00,
    0xe504,
    0x4001, // literal 0x4001E504
  ];
  code.forEach((h, i) => dev.bus.write(0x20000000 + 2 * i, 2, h));
  const cpu = dev.cpu;
  cpu.debugEnabled = true;
  cpu.halt(0);
  cpu.writeCoreRegister(0, 0x800);
  cpu.writeCoreRegister(2, 8);
  cpu.writeCoreRegister(7, 0x12345678);
  cpu.writeCoreRegister(15, 0x20000000);
  cpu.xpsr = 0x01000000;
  cpu.resume();
  const start = dev.time.cycles;
  let bursts = 0;
  while (!cpu.halted && bursts < 1000) {
    const target = dev.time.cycles + 100;
    dev.advanceTo((target * 1000) / chip.clockHz);
    assertEquals(dev.time.cycles, target);
    bursts++;
  }
  ok(cpu.halted && cpu.fault === null);
  assertEquals(
    new Uint32Array(dev.flash.buffer, 0x800, 9),
    new Uint32Array([...Array(8).fill(0x12345678), 0xffffffff]),
  );
  const elapsed = cpu.haltedAt - start;
  const words = 8 * usToCycles(chip, chip.wordWriteUs);
  ok(elapsed >= words - usToCycles(chip, chip.wordWriteUs) && elapsed < words + 100, `${elapsed}`);
});

Deno.test("flash wait states are charged per flash access (a chip-table parameter)", () => {
  const run = (flashWaitStates: number) => {
    const chip = { ...NRF_CHIPS.nrf51822, flashWaitStates };
    const flash = new Uint8Array(chip.flashSize).fill(0xff);
    const view = new DataView(flash.buffer);
    [0x2001, 0x6808, 0xbe00].forEach((h, i) => view.setUint16(0x100 + 2 * i, h, true)); // movs; ldr r0,[r1]; bkpt
    const dev = new NrfDevice(chip, { flash });
    const cpu = dev.cpu;
    cpu.debugEnabled = true;
    cpu.halt(0);
    cpu.writeCoreRegister(1, 0x200);
    cpu.writeCoreRegister(15, 0x100);
    cpu.xpsr = 0x01000000;
    cpu.resume();
    const start = dev.time.cycles;
    dev.advanceBy(0.01);
    ok(cpu.halted);
    return cpu.haltedAt - start;
  };
  // three fetches and one data read from flash
  assertEquals(run(0), 1 + 2);
  assertEquals(run(2) - run(0), 4 * 2);
});
