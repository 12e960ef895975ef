/**
 * Host-side block comparison of two images (no device): the `diff` command, `plan --against`,
 * and the esptool `--diff-with` strategy in benchmarks.
 *
 * @module
 */
import type { FlashImage } from "./image.ts";

/** Result of comparing two images block by block. */
export interface ImageDiff {
  /** Block size used. */
  readonly blockSize: number;
  /** Blocks touched by either image. */
  readonly blocks: number;
  /** Identical blocks. */
  readonly same: number;
  /** Differing blocks. */
  readonly different: number;
  /** Addresses of the differing blocks. */
  readonly differentBlocks: readonly number[];
  /** Positions whose bytes differ, over the touched blocks (padding counts as 0xFF). */
  readonly bytesDiffering: number;
}

/**
 * Compares `a` and `b` in aligned blocks of `blockSize` over every block either image
 * touches; bytes an image does not define count as `fill` (erased flash).
 */
export function compareImages(
  a: FlashImage,
  b: FlashImage,
  blockSize: number,
  fill = 0xff,
): ImageDiff {
  const addrs = new Set<number>();
  for (const x of a.blocks(blockSize)) addrs.add(x.address);
  for (const x of b.blocks(blockSize)) addrs.add(x.address);
  const sorted = [...addrs].sort((x, y) => x - y);
  const differentBlocks: number[] = [];
  let bytesDiffering = 0;
  for (const addr of sorted) {
    const da = a.read(addr, blockSize, fill);
    const db = b.read(addr, blockSize, fill);
    let n = 0;
    for (let i = 0; i < blockSize; i++) if (da[i] !== db[i]) n++;
    if (n) differentBlocks.push(addr);
    bytesDiffering += n;
  }
  return {
    blockSize,
    blocks: sorted.length,
    same: sorted.length - differentBlocks.length,
    different: differentBlocks.length,
    differentBlocks,
    bytesDiffering,
  };
}
