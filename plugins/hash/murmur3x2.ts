/**
 * The micro:bit page hash used by MakeCode and the micro:bit Python editor: two murmur3
 * bodies over little-endian 32-bit words with different seeds, no tail, no finaliser.
 *
 * @module
 */
import type { HashAlgorithm } from "../../kernel/mod.ts";

/** Seed of the first lane. */
export const SEED0 = 0x2f9be6cc;
/** Seed of the second lane. */
export const SEED1 = 0x1ec3a6c8;

/**
 * Both lanes over `data` (length a multiple of 4; trailing bytes are ignored, as in the
 * device code). Returns `[h0, h1]`.
 */
export function murmur3x2Words(data: Uint8Array): [number, number] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let h0 = SEED0, h1 = SEED1;
  const n = data.byteLength & ~3;
  for (let i = 0; i < n; i += 4) {
    let k = Math.imul(view.getUint32(i, true), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h0 ^= k;
    h0 = (h0 << 13) | (h0 >>> 19);
    h0 = (Math.imul(h0, 5) + 0xe6546b64) | 0;
    h1 ^= k;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
  }
  return [h0 >>> 0, h1 >>> 0];
}

/** Digest bytes: h0 then h1, each little-endian, as the stub stores them in RAM. */
export const murmur3x2: HashAlgorithm = {
  name: "murmur3x2",
  digestLength: 8,
  description: "dual murmur3 page hash (MakeCode / micro:bit Python editor compatible)",
  digest(data) {
    const [h0, h1] = murmur3x2Words(data);
    const out = new Uint8Array(8);
    const v = new DataView(out.buffer);
    v.setUint32(0, h0, true);
    v.setUint32(4, h1, true);
    return out;
  },
};
