/**
 * The timing model end to end, in virtual time: a 1 MiB raw write through the stub at
 * 921600 baud must cost about what the line allows (reference §6: ≈11.4 s per MB at 921600),
 * plus per-block turnarounds, and a non-blank target adds erase time the link cannot hide.
 */
import assert from "node:assert/strict";
import { dataBlock, Wire, words } from "./testing.ts";
import { ESP_TIMING, lineMs } from "./timing.ts";

async function stubAt921600(address: string): Promise<Wire> {
  const w = await Wire.open(address);
  await w.resetToDownload();
  await w.sync();
  await w.command(0x05, words(64, 1, 0x1800, 0x40380000));
  const [d, c] = dataBlock(new Uint8Array(64), 0);
  await w.command(0x07, d, c);
  await w.command(0x06, words(0, 0x40380000));
  await w.until(() => w.port.device.mode === "stub");
  await w.command(0x0f, words(921600, 115200));
  await w.port.setBaudRate(921600);
  return w;
}

async function writeMiB(w: Wire): Promise<number> {
  const t0 = w.clock.now();
  await w.command(0x02, words(1 << 20, 64, 0x4000, 0));
  for (let seq = 0; seq < 64; seq++) {
    const [d, c] = dataBlock(new Uint8Array(0x4000).fill(seq), seq);
    await w.command(0x03, d, c);
  }
  await w.command(0x04, words(1));
  return w.clock.now() - t0;
}

Deno.test("1 MiB at 921600 to blank flash costs line time plus turnarounds", async () => {
  const w = await stubAt921600("sim:esp32c3");
  const ms = await writeMiB(w);
  const line = lineMs((1 << 20) + 64 * 26, 921600);
  assert.ok(ms > line, `${ms} ms ≤ line time ${line} ms`);
  assert.ok(ms < line * 1.1, `${ms} ms is more than 10% over line time ${line} ms`);
  await w.close();
});

Deno.test("the same write over old data adds the erase time the link cannot hide", async () => {
  const w = await stubAt921600("sim:esp32c3");
  w.port.device.flash.program(0, new Uint8Array(1 << 20)); // every sector needs erasing
  const ms = await writeMiB(w);
  // 16 × 64 KiB block erases and 4096 page programs, partly overlapped with the link.
  const work = 16 * ESP_TIMING.blockEraseMs + 4096 * ESP_TIMING.pageProgramMs;
  const line = lineMs(1 << 20, 921600);
  assert.ok(ms >= Math.max(line, work), `${ms} ms`);
  assert.ok(ms <= line + work + 200, `${ms} ms`);
  await w.close();
});
