import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { NorFlash, SECTOR_SIZE } from "./flash.ts";

Deno.test("programming only clears bits; erase restores 0xFF per sector", () => {
  const f = new NorFlash(64 * 1024);
  f.program(0x10, Uint8Array.from([0xf0, 0x0f, 0xaa]));
  f.program(0x10, Uint8Array.from([0x3c, 0xff, 0x55]));
  assert.deepEqual(f.read(0x10, 3), Uint8Array.from([0x30, 0x0f, 0x00]));
  f.program(SECTOR_SIZE, Uint8Array.from([0]));
  assert.equal(f.eraseRange(0x800, 0x100), 1); // touches sector 0 only
  assert.ok(f.read(0, SECTOR_SIZE).every((b) => b === 0xff));
  assert.equal(f.read(SECTOR_SIZE, 1)[0], 0, "the next sector is untouched");
  assert.equal(f.counters.sectorsErased, 1);
});

Deno.test("erase range covers every sector it touches", () => {
  const f = new NorFlash(64 * 1024, new Uint8Array(64 * 1024));
  assert.equal(f.eraseRange(SECTOR_SIZE - 1, 2), 2);
  assert.ok(f.read(0, 2 * SECTOR_SIZE).every((b) => b === 0xff));
  assert.equal(f.read(2 * SECTOR_SIZE, 1)[0], 0);
  assert.ok(!f.sectorBlank(2 * SECTOR_SIZE));
  assert.ok(f.sectorBlank(SECTOR_SIZE + 5));
});

Deno.test("page count and bounds", () => {
  const f = new NorFlash(64 * 1024);
  assert.equal(f.program(0xff, new Uint8Array(2)), 2);
  assert.equal(f.program(0x200, new Uint8Array(256)), 1);
  assert.throws(() => f.program(64 * 1024 - 1, new Uint8Array(2)), RangeError);
  assert.throws(() => f.eraseSector(0x800), RangeError);
  assert.throws(() => new NorFlash(1000), RangeError);
});

Deno.test("MD5 of a region matches node:crypto", () => {
  const data = Uint8Array.from({ length: 5000 }, (_, i) => i & 0xff);
  const f = new NorFlash(64 * 1024);
  f.program(0x1000, data);
  const want = createHash("md5").update(data).digest();
  assert.deepEqual(f.md5(0x1000, 5000), new Uint8Array(want));
  assert.equal(f.counters.bytesHashed, 5000);
});

Deno.test("power cut mid-erase leaves a half-erased sector; then nothing changes", () => {
  const f = new NorFlash(64 * 1024, new Uint8Array(64 * 1024));
  const noise = halfway();
  const cuts: string[] = [];
  f.armPowerCut({ on: "erase", remaining: 1, noise, onCut: (w, a) => cuts.push(`${w}@${a}`) });
  f.program(0, Uint8Array.of(0)); // programs do not count towards an erase cut
  f.eraseRange(0, 3 * SECTOR_SIZE);
  assert.ok(f.read(0, SECTOR_SIZE).every((b) => b === 0xff), "the first erase completed");
  const half = f.read(SECTOR_SIZE, SECTOR_SIZE);
  assert.ok(
    half.some((b) => b === 0xff) && half.some((b) => b === 0),
    "some cells erased, some not",
  );
  assert.ok(half.some((b) => b !== 0 && b !== 0xff), "some cells only partly erased");
  assert.ok(f.read(2 * SECTOR_SIZE, SECTOR_SIZE).every((b) => b === 0), "no power: not erased");
  assert.equal(f.powered, false);
  f.program(2 * SECTOR_SIZE, new Uint8Array(4).fill(0xff));
  f.eraseSector(3 * SECTOR_SIZE);
  assert.equal(f.read(3 * SECTOR_SIZE, 1)[0], 0, "still no power");
  f.powerOn();
  f.eraseSector(3 * SECTOR_SIZE);
  assert.equal(f.read(3 * SECTOR_SIZE, 1)[0], 0xff);
  return Promise.resolve().then(() => assert.deepEqual(cuts, [`erase@${SECTOR_SIZE}`]));
});

Deno.test("power cut mid-program leaves a partly programmed page; later pages untouched", () => {
  const f = new NorFlash(64 * 1024);
  const noise = halfway();
  f.armPowerCut({ on: "program", remaining: 2, noise });
  const data = new Uint8Array(5 * 256); // zeros: every programmed bit shows
  assert.equal(f.program(0x1000, data), 5);
  assert.ok(f.read(0x1000, 512).every((b) => b === 0), "two pages programmed before the cut");
  const page = f.read(0x1200, 256);
  assert.ok(page.some((b) => b === 0) && page.some((b) => b === 0xff), "the third page is partial");
  assert.ok(f.read(0x1300, 512).every((b) => b === 0xff), "pages after the cut never programmed");
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
