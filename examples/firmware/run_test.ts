/**
 * Runs the committed micro:bit firmware on the ARMv6-M interpreter from reset and watches its
 * GPIO writes: the right pins for each board, and an LED period that follows BLINK_MS.
 */
import { deepEqual, ok } from "node:assert/strict";
import { ihex } from "../../plugins/formats/mod.ts";
import { type AccessSize, Cpu, MemoryMap, RamRegion, type Region } from "../../sim/armv6m/mod.ts";

/** A GPIO port that records every write with the cycle it happened at. */
class GpioProbe implements Region {
  readonly name = "GPIO P0";
  readonly base = 0x5000_0000;
  readonly size = 0x1000;
  readonly writes: { offset: number; value: number; cycle: number }[] = [];
  constructor(readonly time: { cycles: number }) {}
  read(): number {
    return 0;
  }
  write(offset: number, _size: AccessSize, value: number): void {
    this.writes.push({ offset, value, cycle: this.time.cycles });
  }
}

const OUTSET = 0x508, OUTCLR = 0x50c, DIRSET = 0x518;

/** Boots `microbit-blink-<version>.hex` for `board` and runs until `writes` GPIO writes. */
function boot(version: string, board: "v1" | "v2", writes: number) {
  const name = `microbit-blink-${version}.hex`;
  const bytes = Deno.readFileSync(new URL(`./dist/${name}`, import.meta.url));
  const image = ihex.load(bytes, { source: name, options: { board } });
  const flashSize = board === "v1" ? 0x40000 : 0x80000;
  const time = { cycles: 0 };
  const gpio = new GpioProbe(time);
  const bus = new MemoryMap()
    .add(new RamRegion("flash", 0, flashSize, image.read(0, flashSize), true))
    .add(new RamRegion("ram", 0x2000_0000, board === "v1" ? 0x4000 : 0x20000))
    .add(gpio);
  const cpu = new Cpu(bus, undefined, time);
  cpu.reset();
  while (gpio.writes.length < writes && cpu.running) cpu.run(time.cycles + 100_000);
  ok(cpu.running, cpu.fault?.message ?? "running");
  return gpio.writes;
}

for (const [version, ms] of [["v1", 500], ["v2", 250]] as const) {
  Deno.test(`example firmware: micro:bit V1 ${version} blinks P0.13/P0.04 every ${ms} ms`, () => {
    const w = boot(version, "v1", 5);
    deepEqual(w.map(({ offset, value }) => [offset, value]), [
      [OUTCLR, 1 << 4], // column 1 low
      [DIRSET, (1 << 13) | (1 << 4)],
      [OUTSET, 1 << 13], // row 1 high: LED on
      [OUTCLR, 1 << 13], // LED off
      [OUTSET, 1 << 13],
    ]);
    // 16 MHz core: the on time is BLINK_MS within 1 %.
    const onCycles = w[3].cycle - w[2].cycle;
    ok(Math.abs(onCycles / 16_000 - ms) < ms / 100, `on for ${onCycles / 16_000} ms`);
  });
}

Deno.test("example firmware: micro:bit V2 drives row 1 (P0.21) and column 1 (P0.28)", () => {
  const w = boot("v1", "v2", 3);
  deepEqual(w.map(({ offset, value }) => [offset, value]), [
    [OUTCLR, 1 << 28],
    [DIRSET, (1 << 21) | (1 << 28)],
    [OUTSET, 1 << 21],
  ]);
});
