import { deepEqual } from "node:assert/strict";
import type { BlockComparison } from "../../kernel/mod.ts";
import { promotions } from "./plan.ts";

function group(base: number, same: readonly number[], count = 16): BlockComparison[] {
  return Array.from({ length: count }, (_, i) => ({
    address: base + i * 4096,
    size: 4096,
    covered: 4096,
    same: same.includes(i),
  }));
}

// Code-like content: barely compressible.
const content = (a: number) => {
  let x = a >>> 0 || 1;
  return new Uint8Array(4096).map(() => (x = (x * 1103515245 + 12345) >>> 0) >>> 24);
};
const fastLine = (n: number) => n * 10 * 1000 / 921600;
const slowLine = (n: number) => n * 10 * 1000 / 115200;

Deno.test("mostly changed 64 KiB blocks are rewritten whole on a fast line, not on a slow one", () => {
  const blocks = group(0x10000, [1, 2, 3, 4]);
  deepEqual([...promotions(blocks, content, fastLine)], [0x11000, 0x12000, 0x13000, 0x14000]);
  deepEqual([...promotions(blocks, content, slowLine)], []);
});

Deno.test("mostly unchanged blocks and partly covered blocks are left alone", () => {
  deepEqual([...promotions(group(0x10000, [0, 1, 2, 3, 4, 5, 6, 7, 8]), content, fastLine)], []);
  // 15 sectors of the block are in the image: the 16th is unknown, so the block cannot be rewritten.
  deepEqual([...promotions(group(0x20000, [1], 15), content, fastLine)], []);
});
