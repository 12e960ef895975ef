/**
 * Deterministic test data.
 *
 * @module
 */

/** `n` pseudo-random bytes from a linear congruential generator (same seed, same bytes). */
export function pseudoRandom(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}
