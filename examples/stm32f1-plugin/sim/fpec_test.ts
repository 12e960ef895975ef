// FPEC rules on the simulated STM32F103 bus, as the core and the debugger see them.
import { deepEqual, equal, throws } from "node:assert/strict";
import { BusFault } from "../../../sim/mod.ts";
import { STM32F1_CHIPS } from "../chips.ts";
import { Stm32f1SimDevice } from "./device.ts";
import { CR, FPEC_BASE, KEYS, SR } from "./fpec.ts";

const KEYR = FPEC_BASE + 0x04, SR_ = FPEC_BASE + 0x0c, CR_ = FPEC_BASE + 0x10;
const AR = FPEC_BASE + 0x14;
const FLASH = 0x08000000;

function device() {
  return new Stm32f1SimDevice(STM32F1_CHIPS[0]);
}

function unlock(d: Stm32f1SimDevice) {
  d.bus.write(KEYR, 4, KEYS[0]);
  d.bus.write(KEYR, 4, KEYS[1]);
}

Deno.test("fpec: locked after reset; CR writes are ignored until the two keys arrive", () => {
  const d = device();
  equal(d.bus.read(CR_, 4), CR.LOCK);
  d.bus.write(CR_, 4, CR.PG);
  equal(d.bus.read(CR_, 4), CR.LOCK);
  d.bus.write(FLASH, 2, 0x1234);
  equal(d.flash[0], 0xff, "no PG, no write");
  unlock(d);
  equal(d.bus.read(CR_, 4), 0);
});

Deno.test("fpec: a wrong key is a bus error and keeps the FPEC locked until reset", () => {
  const d = device();
  d.bus.write(KEYR, 4, KEYS[0]);
  throws(() => d.bus.write(KEYR, 4, 0x12345678), BusFault);
  throws(() => unlock(d), BusFault);
  equal(d.bus.read(CR_, 4) & CR.LOCK, CR.LOCK);
  d.systemReset();
  unlock(d);
  equal(d.bus.read(CR_, 4) & CR.LOCK, 0);
});

Deno.test("fpec: half-word programming only; BSY for t_prog, then EOP (write 1 clears)", () => {
  const d = device();
  unlock(d);
  d.bus.write(CR_, 4, CR.PG);
  throws(() => d.bus.write(FLASH, 4, 0x11223344), BusFault);
  throws(() => d.bus.write(FLASH, 1, 0x11), BusFault);
  d.bus.write(FLASH + 2, 2, 0xbeef);
  equal(d.debugRead(SR_, 4).ok && d.bus.read(SR_, 4) & SR.BSY, SR.BSY);
  deepEqual(d.debugRead(FLASH, 4), { ok: false, wait: true }, "debugger waits while busy");
  d.time.cycles += 420; // 52.5 µs at 8 MHz
  equal(d.bus.read(SR_, 4), SR.EOP);
  d.bus.write(SR_, 4, SR.EOP);
  equal(d.bus.read(SR_, 4), 0);
  deepEqual([...d.flash.subarray(0, 4)], [0xff, 0xff, 0xef, 0xbe]);
});

Deno.test("fpec: programming a non-erased half-word sets PGERR and writes nothing (0 is allowed)", () => {
  const d = device();
  unlock(d);
  d.bus.write(CR_, 4, CR.PG);
  d.bus.write(FLASH, 2, 0x00ff);
  d.time.cycles += 1000;
  d.bus.write(FLASH, 2, 0x0f0f);
  equal(d.bus.read(SR_, 4) & SR.PGERR, SR.PGERR);
  equal(d.bus.read(FLASH, 2), 0x00ff);
  d.bus.write(FLASH, 2, 0);
  d.time.cycles += 1000;
  equal(d.bus.read(FLASH, 2), 0);
});

Deno.test("fpec: PER + AR + STRT erases the page holding AR; a core read stalls until done", () => {
  const d = device();
  d.flash.fill(0, 0, 4096);
  unlock(d);
  d.bus.write(CR_, 4, CR.PER);
  d.bus.write(AR, 4, FLASH + 1024 + 100);
  d.bus.write(CR_, 4, CR.PER | CR.STRT);
  const start = d.time.cycles;
  equal(d.bus.read(FLASH + 1024, 4), 0xffffffff);
  equal(d.time.cycles - start, 30 * 8000, "the read waited out the 30 ms erase");
  equal(d.flash[1023], 0);
  equal(d.flash[2048], 0);
  equal(d.fpec.stats.pageErases, 1);
});
