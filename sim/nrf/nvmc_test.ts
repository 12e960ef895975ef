import { deepEqual as assertEquals, ok } from "node:assert/strict";
import { NRF_CHIPS, usToCycles } from "./chips.ts";
import { NrfDevice } from "./device.ts";

const NVMC = 0x4001e000;
const CONFIG = NVMC + 0x504;
const READY = NVMC + 0x400;

function device(chip = "nrf51822") {
  const dev = new NrfDevice(NRF_CHIPS[chip]);
  const rd = (a: number) => {
    const r = dev.debugRead(a, 4);
    if (!r.ok) throw new Error(r.wait ? "wait" : "fault");
    return r.value;
  };
  const wr = (a: number, v: number) => {
    const r = dev.debugWrite(a, 4, v);
    if (!r.ok) throw new Error(r.wait ? "wait" : "fault");
  };
  return { dev, rd, wr };
}

Deno.test("FICR reports page size, page count, part and RAM", () => {
  const v1 = device("nrf51822");
  assertEquals([v1.rd(0x10000010), v1.rd(0x10000014)], [1024, 256]);
  assertEquals(v1.rd(0x10000034) * v1.rd(0x10000038), 16 * 1024);
  const v2 = device("nrf52833");
  assertEquals([v2.rd(0x10000010), v2.rd(0x10000014)], [4096, 128]);
  assertEquals([v2.rd(0x10000100), v2.rd(0x1000010c), v2.rd(0x10000110)], [0x52833, 128, 512]);
  const big = device("nrf52840");
  assertEquals([big.rd(0x10000014), big.rd(0x1000010c)], [256, 256]);
  v1.wr(0x10000010, 0); // read-only
  assertEquals(v1.rd(0x10000010), 1024);
});

Deno.test("writes without WEN are ignored; programming only clears bits", () => {
  const { dev, rd, wr } = device();
  wr(0x100, 0x12345678);
  assertEquals(rd(0x100), 0xffffffff);
  wr(CONFIG, 1);
  wr(0x100, 0xff00ff0f);
  dev.advanceBy(1);
  wr(0x100, 0x0ff0fff0);
  dev.advanceBy(1);
  assertEquals(rd(0x100), 0x0f00ff00);
  dev.debugWrite(0x104, 2, 0); // halfword writes are not supported by the NVMC
  assertEquals(rd(0x104), 0xffffffff);
});

Deno.test("ERASEPAGE needs EEN, erases one page and keeps READY low for the erase time", () => {
  const { dev, rd, wr } = device();
  wr(CONFIG, 1);
  wr(0x400, 0);
  assertEquals(dev.debugWrite(0x800, 4, 0), { ok: false, wait: true }); // still programming
  dev.advanceBy(1);
  wr(0x800, 0);
  dev.advanceBy(1);
  wr(CONFIG, 0);
  wr(NVMC + 0x508, 0x400); // ignored: CONFIG is REN
  assertEquals(rd(0x400), 0);
  wr(CONFIG, 2);
  const t0 = dev.time.cycles;
  wr(NVMC + 0x508, 0x400);
  assertEquals(rd(READY), 0);
  assertEquals(dev.debugRead(0x400, 4), { ok: false, wait: true }); // the AHB-AP stalls
  const eraseCycles = usToCycles(dev.chip, 22_300);
  dev.time.cycles = t0 + eraseCycles - 1;
  assertEquals(rd(READY), 0);
  dev.time.cycles = t0 + eraseCycles;
  assertEquals(rd(READY), 1);
  assertEquals([rd(0x400), rd(0x7fc), rd(0x800)], [0xffffffff, 0xffffffff, 0]);
});

Deno.test("UICR: ERASEPAGE cannot erase it, ERASEUICR and ERASEALL can", () => {
  const { dev, rd, wr } = device("nrf52833");
  wr(CONFIG, 1);
  wr(0x10001014, 0x0007_7000);
  dev.advanceBy(1);
  wr(0x1000, 0);
  dev.advanceBy(1);
  wr(CONFIG, 2);
  wr(NVMC + 0x508, 0x10001000);
  dev.advanceBy(100);
  assertEquals(rd(0x10001014), 0x00077000);
  wr(NVMC + 0x514, 1);
  dev.advanceBy(100);
  assertEquals(rd(0x10001014), 0xffffffff);
  assertEquals(rd(0x1000), 0);
  wr(CONFIG, 1);
  wr(0x10001014, 0);
  dev.advanceBy(1);
  wr(CONFIG, 2);
  wr(NVMC + 0x50c, 1);
  dev.advanceBy(100);
  assertEquals([rd(0x1000), rd(0x10001014)], [0xffffffff, 0xffffffff]);
  assertEquals(dev.nvmc.stats.eraseAlls, 1);
});

Deno.test("a system reset returns CONFIG to read-only", () => {
  const { dev, rd, wr } = device();
  wr(CONFIG, 1);
  dev.systemReset();
  assertEquals(rd(CONFIG), 0);
  ok(dev.cpu.resetSeen);
});

Deno.test("power cut: half-erased page, partly programmed word, then a dead NVMC", async () => {
  const { dev, rd, wr } = device();
  const noise = halfway();
  wr(CONFIG, 1);
  for (let a = 0x400; a < 0x800; a += 4) {
    wr(a, 0);
    while (!rd(READY)) dev.advanceBy(0.1);
  }
  const cut: string[] = [];
  dev.nvmc.armPowerCut({
    on: "erase",
    remaining: 0,
    noise,
    onCut: (w, o) => cut.push(`${w}@${o}`),
  });
  wr(CONFIG, 2);
  wr(NVMC + 0x508, 0x400);
  dev.advanceBy(100);
  const page = dev.flash.subarray(0x400, 0x800);
  ok(page.some((b) => b === 0xff) && page.some((b) => b === 0), "half-erased");
  ok(!dev.nvmc.powered);
  wr(NVMC + 0x508, 0x400);
  dev.advanceBy(100);
  assertEquals(dev.flash.subarray(0x400, 0x800), page, "no power: the erase does nothing");
  await Promise.resolve();
  assertEquals(cut, ["erase@1024"]);

  dev.nvmc.powerOn();
  dev.nvmc.armPowerCut({ on: "program", remaining: 0, noise });
  wr(CONFIG, 1);
  wr(0x2000, 0);
  dev.advanceBy(1);
  const word = rd(0x2000);
  ok(word !== 0 && word !== 0xffffffff, `partly programmed word 0x${word.toString(16)}`);
});

/** Noise for a cut: progress 0.5 first, then well-spread numbers (a small LCG). */
function halfway(): () => number {
  let calls = 0, x = 12345;
  return () => {
    if (calls++ === 0) return 0.5;
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) / 16777216;
  };
}
