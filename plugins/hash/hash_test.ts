import { deepEqual, equal } from "node:assert/strict";
import mm from "npm:murmurhash3js@3.0.1";
import { toHex } from "../../kernel/mod.ts";
import { crc32, md5, murmur3x2, sha256 } from "./mod.ts";
import { murmur3x2Words, SEED0, SEED1 } from "./murmur3x2.ts";

const text = (s: string) => new TextEncoder().encode(s);

Deno.test("md5 known answers (RFC 1321 appendix A.5)", () => {
  equal(toHex(md5.digest(text(""))), "d41d8cd98f00b204e9800998ecf8427e");
  equal(toHex(md5.digest(text("abc"))), "900150983cd24fb0d6963f7d28e17f72");
  equal(toHex(md5.digest(text("message digest"))), "f96b697d7cb7938d525a2f31aaf161d0");
});

Deno.test("sha256 known answers (FIPS 180-2 examples)", () => {
  equal(
    toHex(sha256.digest(text("abc"))),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  equal(
    toHex(sha256.digest(text("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
});

Deno.test("crc32 check value and erased pages", () => {
  equal(toHex(crc32.digest(text("123456789"))), "cbf43926");
  equal(toHex(crc32.digest(new Uint8Array(1024).fill(0xff))), "b83afff4");
  equal(toHex(crc32.digest(new Uint8Array(4096).fill(0xff))), "f154670a");
});

// Independent derivation of the dual-murmur3 vectors: a standard murmur3 x86_32 of a
// whole-word input is fmix32(body ^ length). fmix32 is a bijection, so undoing it on the
// output of an independent murmur3 implementation (npm murmurhash3js) yields the body
// state, which is exactly one lane of the page hash (no tail, no finaliser).
function inverseMul(a: number): number {
  let x = a; // Newton iteration for the inverse modulo 2^32 (a is odd)
  for (let i = 0; i < 5; i++) x = Math.imul(x, 2 - Math.imul(a, x));
  return x >>> 0;
}
function unshiftXor(h: number, s: number): number {
  let r = h;
  for (let i = 0; i < 32 / s + 1; i++) r = h ^ (r >>> s);
  return r >>> 0;
}
function unfmix32(h: number): number {
  h = unshiftXor(h >>> 0, 16);
  h = Math.imul(h, inverseMul(0xc2b2ae35)) >>> 0;
  h = unshiftXor(h, 13);
  h = Math.imul(h, inverseMul(0x85ebca6b)) >>> 0;
  return unshiftXor(h, 16);
}
function bodyViaReference(data: Uint8Array, seed: number): number {
  let s = "";
  for (const b of data) s += String.fromCharCode(b);
  const h = mm.x86.hash32(s, seed) >>> 0;
  return (unfmix32(h) ^ data.length) >>> 0;
}

Deno.test("murmur3x2 matches an independent murmur3 implementation with fmix undone", () => {
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
  const inputs = [
    new Uint8Array(1024).fill(0xff),
    new Uint8Array(4096).fill(0x00),
    Uint8Array.from({ length: 1024 }, rnd),
    Uint8Array.from({ length: 4096 }, rnd),
  ];
  for (const data of inputs) {
    deepEqual(murmur3x2Words(data), [bodyViaReference(data, SEED0), bodyViaReference(data, SEED1)]);
  }
});

Deno.test("murmur3x2 page vectors from the micro:bit reference notes", () => {
  const f = (n: number, v: number) => new Uint8Array(n).fill(v);
  deepEqual(murmur3x2Words(f(1024, 0xff)), [0xbefc59d1, 0xaaafeb15]);
  deepEqual(murmur3x2Words(f(4096, 0xff)), [0x9aee1b69, 0x0eab16a3]);
  deepEqual(murmur3x2Words(f(1024, 0x00)), [0x48072544, 0x16fb6542]);
  deepEqual(murmur3x2Words(f(4096, 0x00)), [0xa2726f26, 0xe53130fe]);
  // Digest layout: h0 then h1, little-endian, as the device stub stores them.
  equal(toHex(murmur3x2.digest(f(1024, 0xff))), "d159fcbe15ebafaa");
});
