/**
 * Randomised cross-check of arithmetic flags and register shifts against independent
 * formulations (carry/overflow from bit logic, shifts on BigInt), seeded and repeatable.
 */
import { deepEqual as assertEquals } from "node:assert/strict";
import { MemoryMap, RamRegion } from "./bus.ts";
import { Cpu } from "./cpu.ts";

const bus = new MemoryMap().add(new RamRegion("ram", 0x20000000, 0x100));
const cpu = new Cpu(bus);
cpu.debugEnabled = true;

/** Executes one 16-bit opcode with r0 = x, r1 = y and carry-in c; returns r0 and NZCV. */
function exec(op: number, x: number, y: number, c: boolean) {
  bus.write(0x20000000, 2, op);
  cpu.r[0] = x;
  cpu.r[1] = y;
  cpu.n = cpu.z = cpu.v = false;
  cpu.c = c;
  cpu.r[15] = 0x20000000;
  cpu.t = true;
  cpu.step();
  return { r0: cpu.r[0], n: cpu.n, z: cpu.z, c: cpu.c, v: cpu.v };
}

let seed = 0x1234567;
function rand32(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
}
const EDGES = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe, 0x80000001];
function operand(): number {
  return rand32() % 4 === 0 ? EDGES[rand32() % EDGES.length] : rand32();
}

/** Flags of x + y + cin from bit logic (not from a wide sum). */
function addRef(x: number, y: number, cin: number) {
  const res = (x + y + cin) >>> 0;
  const carry = ((x & y) | ((x | y) & ~res)) >>> 31 === 1;
  const overflow = ((x ^ res) & (y ^ res)) >>> 31 === 1;
  return { r0: res, n: res >>> 31 === 1, z: res === 0, c: carry, v: overflow };
}

Deno.test("ADDS/SUBS/ADCS/SBCS/CMP/CMN/RSBS flags match a bit-logic reference", () => {
  for (let i = 0; i < 2000; i++) {
    const x = operand(), y = operand(), cin = rand32() & 1;
    const nx = ~y >>> 0;
    const cases: [string, number, ReturnType<typeof addRef>, boolean][] = [
      ["ADDS", 0x1840, addRef(x, y, 0), false], // adds r0, r0, r1
      ["SUBS", 0x1a40, addRef(x, nx, 1), false], // subs r0, r0, r1
      ["ADCS", 0x4148, addRef(x, y, cin), false],
      ["SBCS", 0x4188, addRef(x, nx, cin), false],
      ["CMP", 0x4288, addRef(x, nx, 1), true],
      ["CMN", 0x42c8, addRef(x, y, 0), true],
      ["RSBS", 0x4248, addRef(nx, 0, 1), false], // rsbs r0, r1, #0
    ];
    for (const [name, op, ref, compare] of cases) {
      const got = exec(op, x, y, cin === 1);
      const want = compare ? { ...ref, r0: x } : ref;
      assertEquals(got, want, `${name} x=0x${x.toString(16)} y=0x${y.toString(16)} c=${cin}`);
    }
  }
});

/** Shift x by n through a 64-bit BigInt window; returns result and carry out. */
function shiftRef(kind: "lsl" | "lsr" | "asr" | "ror", x: number, n: number, cin: boolean) {
  if (n === 0) return { res: x >>> 0, c: cin };
  const big = BigInt(x >>> 0);
  if (kind === "lsl") {
    const v = big << BigInt(n);
    return { res: Number(v & 0xffffffffn), c: ((v >> 32n) & 1n) === 1n };
  }
  if (kind === "lsr" || kind === "asr") {
    const signed = kind === "asr" ? BigInt.asIntN(32, big) : big;
    const v = (signed << 1n) >> BigInt(n); // keep the last bit shifted out in bit 0
    return { res: Number((v >> 1n) & 0xffffffffn), c: (v & 1n) === 1n };
  }
  let r = x >>> 0;
  for (let i = 0; i < n; i++) r = ((r >>> 1) | ((r & 1) << 31)) >>> 0;
  return { res: r, c: r >>> 31 === 1 };
}

Deno.test("LSLS/LSRS/ASRS/RORS by register match a BigInt reference for amounts 0..255", () => {
  const ops = { lsl: 0x4088, lsr: 0x40c8, asr: 0x4108, ror: 0x41c8 } as const;
  for (let i = 0; i < 1500; i++) {
    const x = operand();
    const n = rand32() % 3 === 0 ? [0, 1, 31, 32, 33, 64, 255][rand32() % 7] : rand32() & 0xff;
    const high = rand32() & 0xffffff00; // Rm[31:8] must be ignored
    const cin = (rand32() & 1) === 1;
    for (const [kind, op] of Object.entries(ops) as [keyof typeof ops, number][]) {
      const ref = shiftRef(kind, x, n, cin);
      const got = exec(op, x, (high | n) >>> 0, cin);
      assertEquals(
        [got.r0, got.c, got.n, got.z],
        [ref.res, ref.c, ref.res >>> 31 === 1, ref.res === 0],
        `${kind} 0x${x.toString(16)} by ${n}`,
      );
    }
  }
});
