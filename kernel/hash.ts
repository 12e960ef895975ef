/**
 * The hash algorithm contract used to compare device blocks with image blocks.
 *
 * @module
 */

/** A hash algorithm a plugin registers, e.g. `md5` or `murmur3x2`. */
export interface HashAlgorithm {
  /** Registry name, e.g. `md5`. */
  readonly name: string;
  /** Digest length in bytes. */
  readonly digestLength: number;
  /** One-line description shown by `deltaflash targets -v`. */
  readonly description?: string;
  /** Whole-buffer digest. */
  digest(data: Uint8Array): Uint8Array;
}

/** True when two digests are byte-identical. */
export function digestsEqual(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}
