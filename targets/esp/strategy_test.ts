import { deepEqual, equal, ok } from "node:assert/strict";
import {
  type AddressRange,
  createContext,
  type FlashDevice,
  FlashImage,
  type HashAlgorithm,
} from "../../kernel/mod.ts";
import { md5 } from "../../plugins/hash/md5.ts";
import { chooseFanout, firstPieces, HASH_STRATEGIES, queryHashesBy } from "./strategy.ts";

/** An in-memory device whose MD5 requests are counted in batches. */
function memoryDevice(flash: Uint8Array, requestMs = 4, sectorWriteMs?: number) {
  const batches: AddressRange[][] = [];
  const dev: FlashDevice & { hashCost: unknown } = {
    info: { chip: "mem" },
    layout: { regions: [{ name: "flash", start: 0, size: flash.length, blockSize: 4096 }] },
    hashAlgorithms: ["md5"],
    hashGranularity: "any",
    hashCost: { requestMs, msPerByte: 1 / 2600, latencyMs: 2, sectorWriteMs },
    hash(_ctx, _alg, ranges) {
      batches.push([...ranges]);
      return Promise.resolve(ranges.map((r) => md5.digest(flash.subarray(r.start, r.end))));
    },
    program: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  return { dev, batches };
}

function rng(seed: number) {
  let x = seed >>> 0;
  return () => (x = (x * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

Deno.test("every strategy reports exactly the sectors that differ", async () => {
  const rand = rng(42);
  for (let trial = 0; trial < 40; trial++) {
    const sectors = 1 + Math.floor(rand() * 90);
    const base = 0x10000;
    const image = new Uint8Array(sectors * 4096 - Math.floor(rand() * 4000));
    for (let i = 0; i < image.length; i++) image[i] = rand() * 256;
    const flash = new Uint8Array(0x10000 + 128 * 4096).fill(0xff);
    const blank = rand() < 0.15;
    if (!blank) flash.set(image, base);
    const truth = new Set<number>();
    const density = rand();
    for (let s = 0; s < sectors && !blank; s++) {
      if (rand() < density * 0.3) {
        flash[base + s * 4096 + Math.floor(rand() * 4096)] ^= 0x81;
        truth.add(s);
      }
    }
    // The uncovered tail of the last sector must read as erased (fill policy).
    const tail = base + image.length;
    if (!blank && rand() < 0.3 && tail % 4096) {
      flash[tail] = 0;
      truth.add(sectors - 1);
    }
    if (blank) { for (let s = 0; s < sectors; s++) truth.add(s); }
    const img = FlashImage.from([{ address: base, data: image, source: "t" }]);
    for (const strategy of HASH_STRATEGIES) {
      const { dev } = memoryDevice(flash, rand() < 0.5 ? 4 : 0.5);
      const report = await queryHashesBy(createContext(), {
        device: dev,
        image: img,
        algorithm: md5 as HashAlgorithm,
        partialBlocks: "fill",
      }, strategy);
      const changed = report.blocks.flatMap((b, i) => b.same ? [] : [i]);
      deepEqual(changed, [...truth].sort((a, b) => a - b), `${strategy} trial ${trial}`);
    }
  }
});

Deno.test("an unchanged image costs one batch; a blank device is settled by the first look", async () => {
  const image = new Uint8Array(64 * 4096).map((_, i) => i * 7);
  const flash = new Uint8Array(0x100000).fill(0xff);
  flash.set(image, 0x10000);
  const img = FlashImage.from([{ address: 0x10000, data: image, source: "t" }]);
  const args = (dev: FlashDevice) => ({
    device: dev,
    image: img,
    algorithm: md5 as HashAlgorithm,
    partialBlocks: "fill" as const,
  });
  for (const strategy of HASH_STRATEGIES) {
    const { dev, batches } = memoryDevice(flash);
    await queryHashesBy(createContext(), args(dev), strategy);
    equal(batches.length, 1, strategy);
  }
  const { dev, batches } = memoryDevice(new Uint8Array(0x100000).fill(0xff));
  const r = await queryHashesBy(createContext(), args(dev), "whole-then-sector");
  equal(batches.length, 1);
  ok(r.blocks.every((b) => !b.same));
});

Deno.test("bisection never asks for the half it can infer", async () => {
  const image = new Uint8Array(16 * 4096).map((_, i) => i);
  const flash = new Uint8Array(0x40000).fill(0xff);
  flash.set(image, 0);
  flash[15 * 4096] ^= 1; // last sector: every left half matches, so no right half is hashed
  const { dev, batches } = memoryDevice(flash);
  const img = FlashImage.from([{ address: 0, data: image, source: "t" }]);
  const r = await queryHashesBy(createContext(), {
    device: dev,
    image: img,
    algorithm: md5 as HashAlgorithm,
    partialBlocks: "fill",
  }, "bisect");
  deepEqual(batches.map((b) => b.length), [1, 1, 1, 1, 1]);
  deepEqual(r.blocks.flatMap((b, i) => b.same ? [] : [i]), [15]);
});

Deno.test("the cost model splits finely when hashing hides the wire, coarsely when not", () => {
  const fast = { requestMs: 0.5, msPerByte: 1 / 2600, latencyMs: 2 };
  const slow = { requestMs: 4, msPerByte: 1 / 2600, latencyMs: 2 };
  equal(firstPieces(289, "auto", fast, 4096), 289);
  ok(firstPieces(289, "auto", slow, 4096) < 289);
  equal(firstPieces(289, "whole-then-sector", slow, 4096), 1);
  equal(chooseFanout(100, "bisect", slow, 4096), 2);
  equal(chooseFanout(100, "whole-then-sector", slow, 4096), 100);
  equal(chooseFanout(100, "auto", slow, 4096, true), 100);
});

Deno.test("auto with sampling never misses a changed sector", async () => {
  const rand = rng(7);
  for (let trial = 0; trial < 30; trial++) {
    const sectors = 40 + Math.floor(rand() * 200);
    const image = new Uint8Array(sectors * 4096).map(() => rand() * 256);
    const flash = new Uint8Array(0x100000).fill(0xff);
    flash.set(image, 0);
    const density = rand();
    const truth: number[] = [];
    for (let s = 0; s < sectors; s++) {
      if (rand() < density) {
        flash[s * 4096 + 5] ^= 1;
        truth.push(s);
      }
    }
    const { dev } = memoryDevice(flash, 1, 40);
    const img = FlashImage.from([{ address: 0, data: image, source: "t" }]);
    const r = await queryHashesBy(createContext(), {
      device: dev,
      image: img,
      algorithm: md5 as HashAlgorithm,
      partialBlocks: "fill",
    }, "auto");
    for (const s of truth) equal(r.blocks[s].same, false, `trial ${trial} sector ${s}`);
    for (const b of r.blocks) if (b.same) ok(!truth.includes(b.address / 4096));
  }
});

Deno.test("a densely changed span costs one sampled batch and is written whole", async () => {
  const image = new Uint8Array(200 * 4096).map((_, i) => (i * 13) >> 3);
  const flash = new Uint8Array(0x100000).fill(0xff);
  flash.set(image.map((b) => b ^ 0x5a), 0);
  const { dev, batches } = memoryDevice(flash, 1, 40);
  const r = await queryHashesBy(createContext(), {
    device: dev,
    image: FlashImage.from([{ address: 0, data: image, source: "t" }]),
    algorithm: md5 as HashAlgorithm,
    partialBlocks: "fill",
  }, "auto");
  equal(batches.length, 1);
  ok(batches[0].length < 40);
  ok(r.blocks.every((b) => !b.same));
});
