/**
 * The mutator: stacks one to four edits on a seed input. Byte edits (bit flips, boundary
 * integers, deleted/duplicated/inserted ranges, truncation, splices from another seed) apply
 * to every format; text edits (digits, lines, numbers, deep nesting) are added for text
 * formats so a mutant still gets past the tokenizer often enough to reach the deeper checks.
 *
 * @module
 */
import type { Rng } from "../rng.ts";

/** What the mutator may do to an input. */
export interface MutateOptions {
  /** The input is text (line-oriented edits apply too). */
  readonly text?: boolean;
  /** Other seeds of the same parser, for splices. */
  readonly donors?: readonly Uint8Array[];
  /** Largest output, bytes (edits that would grow past it are skipped). */
  readonly maxLength?: number;
}

const INTERESTING_32 = [
  0,
  1,
  0x7f,
  0x80,
  0xff,
  0x100,
  0x7fff,
  0x8000,
  0xffff,
  0x10000,
  0x7fffffff,
  0x80000000,
  0xfffffffe,
  0xffffffff,
];
const INTERESTING_TEXT = [
  "0",
  "-1",
  "0x0",
  "0xFFFFFFFF",
  "0x100000000",
  "4294967296",
  "1e999",
  "NaN",
  "99999999999999999999",
  "__proto__",
  "constructor",
  "toString",
  "zz",
  "",
  "\u0000",
  "\u001b[31m",
  "\uFFFD",
];

type Edit = (b: Uint8Array, rng: Rng, o: MutateOptions) => Uint8Array;

const byteEdits: Edit[] = [
  // flip one bit
  (b, rng) => {
    if (!b.length) return b;
    const out = b.slice();
    out[rng.int(out.length)] ^= 1 << rng.int(8);
    return out;
  },
  // set one byte to a random or boundary value
  (b, rng) => {
    if (!b.length) return b;
    const out = b.slice();
    out[rng.int(out.length)] = rng.chance(0.5) ? rng.int(256) : rng.pick([0, 0x7f, 0x80, 0xff]);
    return out;
  },
  // overwrite a 16/32-bit field with a boundary integer, either byte order
  (b, rng) => {
    if (b.length < 4) return b;
    const out = b.slice();
    const v = new DataView(out.buffer);
    const at = rng.int(out.length - 3);
    const x = rng.pick(INTERESTING_32);
    if (rng.chance(0.5)) v.setUint32(at, x >>> 0, rng.chance(0.5));
    else v.setUint16(at, x & 0xffff, rng.chance(0.5));
    return out;
  },
  // delete a range
  (b, rng) => {
    if (!b.length) return b;
    const at = rng.int(b.length);
    const n = 1 + rng.int(Math.min(b.length - at, rng.chance(0.8) ? 16 : 4096));
    return concat(b.subarray(0, at), b.subarray(at + n));
  },
  // duplicate a range elsewhere
  (b, rng) => {
    if (!b.length) return b;
    const at = rng.int(b.length);
    const n = 1 + rng.int(Math.min(b.length - at, 256));
    const to = rng.int(b.length + 1);
    return concat(b.subarray(0, to), b.subarray(at, at + n), b.subarray(to));
  },
  // insert random bytes
  (b, rng) => {
    const to = rng.int(b.length + 1);
    return concat(b.subarray(0, to), rng.bytes(1 + rng.int(16)), b.subarray(to));
  },
  // truncate
  (b, rng) => b.subarray(0, rng.int(b.length + 1)),
  // splice a range from another seed
  (b, rng, o) => {
    const donor = o.donors?.length ? rng.pick(o.donors) : b;
    if (!donor.length || !b.length) return b;
    const from = rng.int(donor.length);
    const n = 1 + rng.int(Math.min(donor.length - from, 512));
    const at = rng.int(b.length);
    const cut = rng.int(Math.min(b.length - at, 512) + 1);
    return concat(b.subarray(0, at), donor.subarray(from, from + n), b.subarray(at + cut));
  },
];

const textEdits: Edit[] = [
  // change a hex digit (or put a non-hex character in its place)
  (b, rng) => {
    const at = findIndex(b, rng, isHexDigit);
    if (at < 0) return b;
    const out = b.slice();
    out[at] = rng.chance(0.8) ? "0123456789ABCDEFabcdef".charCodeAt(rng.int(22)) : rng.int(128);
    return out;
  },
  // delete, duplicate or swap whole lines
  (b, rng) => {
    const lines = splitLines(b);
    if (lines.length < 2) return b;
    const i = rng.int(lines.length), j = rng.int(lines.length);
    const op = rng.int(3);
    if (op === 0) lines.splice(i, 1);
    else if (op === 1) lines.splice(j, 0, lines[i]);
    else [lines[i], lines[j]] = [lines[j], lines[i]];
    return joinLines(lines);
  },
  // replace a number-like token (the first after a random point) with a boundary or hostile word
  (b, rng) => {
    const from = rng.int(b.length + 1);
    const m = /0x[0-9a-fA-F]+|[0-9]+|[A-Za-z_]+/.exec(latin1(b.subarray(from, from + 4096)));
    if (!m) return b;
    const at = from + m.index;
    return concat(
      b.subarray(0, at),
      fromLatin1(rng.pick(INTERESTING_TEXT)),
      b.subarray(at + m[0].length),
    );
  },
  // deep nesting or a very long token
  (b, rng) => {
    const to = rng.int(b.length + 1);
    const n = rng.pick([64, 1000, 20000]);
    const unit = rng.pick(["[", '{"a":', "(", '"', ",", "A", ":"]);
    return concat(b.subarray(0, to), fromLatin1(unit.repeat(n)), b.subarray(to));
  },
];

/** One mutant of `input`: 1–4 stacked edits chosen by `rng`. */
export function mutate(input: Uint8Array, rng: Rng, options: MutateOptions = {}): Uint8Array {
  const edits = options.text ? [...byteEdits, ...textEdits, ...textEdits] : byteEdits;
  const max = options.maxLength ?? 4 * 1024 * 1024;
  let out = input;
  const n = 1 + rng.int(4);
  for (let k = 0; k < n; k++) {
    const next = rng.pick(edits)(out, rng, options);
    if (next.length <= max) out = next;
  }
  return out === input ? input.slice() : out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function findIndex(b: Uint8Array, rng: Rng, want: (c: number) => boolean): number {
  if (!b.length) return -1;
  const start = rng.int(b.length);
  for (let k = 0; k < Math.min(b.length, 4096); k++) {
    const i = (start + k) % b.length;
    if (want(b[i])) return i;
  }
  return -1;
}

function splitLines(b: Uint8Array): Uint8Array[] {
  const lines: Uint8Array[] = [];
  let from = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 10) {
      lines.push(b.subarray(from, i + 1));
      from = i + 1;
    }
  }
  if (from < b.length) lines.push(b.subarray(from));
  return lines;
}

function joinLines(lines: Uint8Array[]): Uint8Array {
  return concat(...lines);
}

/** Latin-1 string of bytes (one char per byte, so byte offsets and string offsets agree). */
export function latin1(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 8192) {
    s += String.fromCharCode(...b.subarray(i, i + 8192));
  }
  return s;
}

/** Bytes of a Latin-1 string (characters above 0xFF keep their low byte). */
export function fromLatin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}
