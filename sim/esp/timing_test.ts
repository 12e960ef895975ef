import assert from "node:assert/strict";
import {
  chipEraseMs,
  ESP_TIMING,
  inflateMs,
  lineMs,
  md5Ms,
  programMs,
  rangeEraseMs,
} from "./timing.ts";

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-6, `${a} ≠ ${b}`);

Deno.test("UART time is 10 bits per byte at the line rate", () => {
  close(lineMs(11520, 115200), 1000);
  close(lineMs(92160, 921600), 1000);
  // 1 MB at 115200 ≈ 91 s (reference §6 table)
  assert.equal(Math.round(lineMs(1_048_576, 115200) / 1000), 91);
});

Deno.test("erase uses 64 KiB blocks when a whole aligned block is covered", () => {
  assert.equal(rangeEraseMs(0, 16), ESP_TIMING.blockEraseMs);
  assert.equal(rangeEraseMs(1, 16), 16 * ESP_TIMING.sectorEraseMs);
  assert.equal(rangeEraseMs(15, 18), 2 * ESP_TIMING.sectorEraseMs + ESP_TIMING.blockEraseMs);
  assert.equal(rangeEraseMs(0, 0), 0);
});

Deno.test("flash, hash and inflate costs scale linearly", () => {
  close(programMs(4096), 4096 * ESP_TIMING.pageProgramMs);
  close(md5Ms(1024 * 1024), ESP_TIMING.md5MsPerMiB);
  close(md5Ms(4096), ESP_TIMING.md5MsPerMiB / 256);
  close(inflateMs(2 * 1024 * 1024), 2 * ESP_TIMING.inflateMsPerMiB);
  close(chipEraseMs(4 * 1024 * 1024), 3200);
});
