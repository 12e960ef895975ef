/**
 * ARMv6-M arithmetic and shift primitives with carry/overflow exactly as the ARM ARM
 * pseudocode (AddWithCarry, LSL_C, LSR_C, ASR_C, ROR_C). Results are uint32 numbers; the
 * carry and overflow outputs land in {@link aluOut} to avoid allocating per instruction.
 *
 * @module
 */

/** Carry and overflow produced by the last primitive. */
export const aluOut = { c: false, v: false };

/** AddWithCarry(x, y, carry_in) → result; sets aluOut.c and aluOut.v. */
export function addWithCarry(x: number, y: number, carryIn: number): number {
  const unsigned = (x >>> 0) + (y >>> 0) + carryIn;
  const result = unsigned >>> 0;
  const signed = (x | 0) + (y | 0) + carryIn;
  aluOut.c = unsigned > 0xffffffff;
  aluOut.v = signed !== (result | 0);
  return result;
}

/** LSL_C by `n` (0..255); n = 0 keeps the incoming carry. */
export function lslC(x: number, n: number, carryIn: boolean): number {
  if (n === 0) {
    aluOut.c = carryIn;
    return x >>> 0;
  }
  if (n < 32) {
    aluOut.c = ((x >>> (32 - n)) & 1) === 1;
    return (x << n) >>> 0;
  }
  aluOut.c = n === 32 ? (x & 1) === 1 : false;
  return 0;
}

/** LSR_C by `n` (0..255); n = 0 keeps the incoming carry. */
export function lsrC(x: number, n: number, carryIn: boolean): number {
  if (n === 0) {
    aluOut.c = carryIn;
    return x >>> 0;
  }
  if (n < 32) {
    aluOut.c = ((x >>> (n - 1)) & 1) === 1;
    return x >>> n;
  }
  aluOut.c = n === 32 ? (x >>> 31) === 1 : false;
  return 0;
}

/** ASR_C by `n` (0..255); n ≥ 32 fills with the sign bit. */
export function asrC(x: number, n: number, carryIn: boolean): number {
  if (n === 0) {
    aluOut.c = carryIn;
    return x >>> 0;
  }
  if (n < 32) {
    aluOut.c = (((x | 0) >> (n - 1)) & 1) === 1;
    return ((x | 0) >> n) >>> 0;
  }
  aluOut.c = (x >>> 31) === 1;
  return ((x | 0) >> 31) >>> 0;
}

/** ROR_C by `n` (0..255): n = 0 keeps value and carry; a multiple of 32 sets C = bit 31. */
export function rorC(x: number, n: number, carryIn: boolean): number {
  if (n === 0) {
    aluOut.c = carryIn;
    return x >>> 0;
  }
  const m = n & 31;
  const result = m === 0 ? x >>> 0 : ((x >>> m) | (x << (32 - m))) >>> 0;
  aluOut.c = (result >>> 31) === 1;
  return result;
}

/** Sign-extends the low `bits` of `value`. */
export function signExtend(value: number, bits: number): number {
  const shift = 32 - bits;
  return (value << shift) >> shift;
}
