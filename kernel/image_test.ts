import { deepEqual, equal, throws } from "node:assert/strict";
import { FlashImage, ImageOverlapError, type MergeStats } from "./mod.ts";

const seg = (address: number, bytes: number[], source = "s") => ({
  address,
  data: Uint8Array.from(bytes),
  source,
});

Deno.test("image: conflicting overlap names both sources", () => {
  throws(
    () => FlashImage.from([seg(0x10, [1, 2, 3], "a.bin"), seg(0x12, [9], "b.hex")]),
    ImageOverlapError,
  );
  throws(
    () => FlashImage.from([seg(0x10, [1, 2, 3], "a.bin"), seg(0x12, [9], "b.hex")]),
    /a\.bin and b\.hex.*0x12/,
  );
});

Deno.test("image: agreeing overlaps merge; adjacency stays contiguous", () => {
  const img = FlashImage.from([seg(3, [3, 4, 5]), seg(0, [0, 1, 2, 3, 4]), seg(8, [8])]);
  deepEqual(img.ranges(), [{ start: 0, end: 6 }, { start: 8, end: 9 }]);
  equal(img.byteCount, 7);
  deepEqual([...img.read(0, 10)], [0, 1, 2, 3, 4, 5, 0xff, 0xff, 8, 0xff]);
  deepEqual([...img.read(4, 4, Uint8Array.of(7, 7, 7, 7))], [4, 5, 7, 7]);
});

Deno.test("image: blocks report coverage for any block size and origin", () => {
  const img = FlashImage.from([seg(0x0ffe, [1, 2, 3, 4]), seg(0x3000, new Array(0x1000).fill(0))]);
  deepEqual(img.blocks(0x1000), [
    { address: 0x0000, size: 0x1000, covered: 2 },
    { address: 0x1000, size: 0x1000, covered: 2 },
    { address: 0x3000, size: 0x1000, covered: 0x1000 },
  ]);
  deepEqual(img.blocks(0x400, 0, { start: 0x1000, end: 0x3400 }).map((b) => b.address), [
    0x1000,
    0x3000,
  ]);
  deepEqual(img.slice(0x1000, 0x1002).ranges(), [{ start: 0x1000, end: 0x1002 }]);
});

Deno.test("image: 100k overlapping records merge in one pass over the bytes", () => {
  // Each 16-byte record starts 8 bytes after the previous one: every record overlaps.
  const n = 100_000;
  const byte = (a: number) => (a * 31 + (a >> 8)) & 0xff;
  const segments = Array.from({ length: n }, (_, i) => ({
    address: 0x1000 + 8 * i,
    data: Uint8Array.from({ length: 16 }, (_, k) => byte(0x1000 + 8 * i + k)),
    source: `r${i}`,
  })).reverse(); // any order
  const stats: MergeStats = { copied: 0, compared: 0 };
  const image = FlashImage.from(segments, stats);
  equal(image.segments.length, 1);
  equal(image.byteCount, 8 * n + 8);
  // Linear work: every output byte copied once, every shared byte compared once. (Merging
  // pairwise into a growing buffer copies O(n²) bytes.)
  equal(stats.copied, image.byteCount);
  equal(stats.compared, 8 * (n - 1));
  const d = image.segments[0].data;
  for (let a = 0; a < d.length; a += 997) equal(d[a], byte(0x1000 + a));
});
