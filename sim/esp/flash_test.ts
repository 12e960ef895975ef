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
