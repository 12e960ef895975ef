import { deepEqual, equal, ok } from "node:assert/strict";
import {
  type AddressRange,
  createContext,
  type FlashDevice,
  FlashImage,
  type HashAlgorithm,
} from "../../kernel/mod.ts";
import { md5 } from "../../plugins/hash/md5.ts";
import { batchMs, type HashCostHint } from "./cost.ts";
import { HASH_STRATEGIES } from "./options.ts";
import { chooseFanout, firstPieces, queryHashesBy } from "./strategy.ts";

/** An in-memory device whose MD5 requests are counted in batches. */
function memoryDevice(flash: Uint8Array, requestMs = 4, sectorWriteMs?: number) {
  const batches: AddressRange[][] = [];
  const dev: FlashDevice & { hashCost: HashCostHint } = {
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
      const report = await queryHashesBy(
        createContext(),
        {
          device: dev,
          image: img,
          algorithm: md5 as HashAlgorithm,
          partialBlocks: "fill",
          mode: "diff",
        },
        strategy,
        dev.hashCost,
      );
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
    mode: "diff" as const,
  });
  for (const strategy of HASH_STRATEGIES) {
    const { dev, batches } = memoryDevice(flash);
    await queryHashesBy(createContext(), args(dev), strategy, dev.hashCost);
    equal(batches.length, 1, strategy);
  }
  const { dev, batches } = memoryDevice(new Uint8Array(0x100000).fill(0xff));
  const r = await queryHashesBy(createContext(), args(dev), "whole-then-sector", dev.hashCost);
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
  const r = await queryHashesBy(
    createContext(),
    {
      device: dev,
      image: img,
      algorithm: md5 as HashAlgorithm,
      partialBlocks: "fill",
      mode: "diff",
    },
    "bisect",
    dev.hashCost,
  );
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
    const r = await queryHashesBy(
      createContext(),
      {
        device: dev,
        image: img,
        algorithm: md5 as HashAlgorithm,
        partialBlocks: "fill",
        mode: "diff",
      },
      "auto",
      dev.hashCost,
    );
    for (const s of truth) equal(r.blocks[s].same, false, `trial ${trial} sector ${s}`);
    for (const b of r.blocks) if (b.same) ok(!truth.includes(b.address / 4096));
  }
});

Deno.test("a densely changed span costs one sampled batch and is written whole", async () => {
  const image = new Uint8Array(200 * 4096).map((_, i) => (i * 13) >> 3);
  const flash = new Uint8Array(0x100000).fill(0xff);
  flash.set(image.map((b) => b ^ 0x5a), 0);
  const { dev, batches } = memoryDevice(flash, 1, 40);
  const r = await queryHashesBy(
    createContext(),
    {
      device: dev,
      image: FlashImage.from([{ address: 0, data: image, source: "t" }]),
      algorithm: md5 as HashAlgorithm,
      partialBlocks: "fill",
      mode: "diff",
    },
    "auto",
    dev.hashCost,
  );
  equal(batches.length, 1);
  ok(batches[0].length < 40);
  ok(r.blocks.every((b) => !b.same));
  // What was not hashed sector by sector is reported as assumed, not as known to differ.
  const asked = new Set(batches.flat().filter((x) => x.end - x.start === 4096).map((x) => x.start));
  ok(r.blocks.some((b) => b.assumed));
  for (const b of r.blocks) {
    equal(b.assumed === true, !asked.has(b.address), `0x${b.address.toString(16)}`);
  }
});

/** Hash figures of a ROM session at `baud` with `bridgeMs` of USB latency each way. */
function linkCost(baud: number, bridgeMs: number) {
  const byteMs = 10_000 / baud;
  return {
    requestMs: 46 * byteMs,
    requestWireMs: 26 * byteMs,
    replyWireMs: 46 * byteMs,
    inFlight: 5,
    msPerByte: 1 / 2621,
    latencyMs: 2 * bridgeMs,
    sectorWriteMs: 0.6 * 4096 * byteMs + 20,
    byteMs,
  };
}

const LINKS = [[921600, 1], [460800, 1], [115200, 1], [115200, 16]] as const;

Deno.test("a batch costs its wire, the loader's hashing and one turnaround per window", () => {
  const c = { ...linkCost(115200, 16), inFlight: 1 };
  const one = c.requestWireMs + c.latencyMs + 4096 * c.msPerByte + c.replyWireMs;
  ok(Math.abs(batchMs(c, [4096]) - one) < 1e-9);
  // One request in flight: every request waits for the previous reply.
  ok(Math.abs(batchMs(c, [4096, 4096, 4096]) - 3 * one) < 1e-9);
  // Five in flight: the turnaround is paid about once per five requests.
  const five = batchMs({ ...c, inFlight: 5 }, Array(10).fill(4096));
  ok(five < 3 * one && five > 2 * one);
});

Deno.test("the first look costs what one MD5 of the span does, on every link", () => {
  for (const [baud, bridge] of LINKS) {
    const c = linkCost(baud, bridge);
    const k = firstPieces(289, "auto", c, 4096);
    const sizes = Array.from(
      { length: k },
      (_, i) => (Math.floor((i + 1) * 289 / k) - Math.floor(i * 289 / k)) * 4096,
    );
    const whole = batchMs(c, [289 * 4096]);
    ok(batchMs(c, sizes) <= whole * 1.01, `${baud}/${bridge}: ${k} pieces`);
    // Requests that cost more than hashing a sector mean fewer, larger pieces.
    if (c.replyWireMs > 4096 * c.msPerByte) ok(k < 289, `${baud}/${bridge}`);
    else equal(k, 289, `${baud}/${bridge}`);
  }
});

Deno.test("on a slow link one changed sector costs few batches; a dense change is not searched", async () => {
  const image = new Uint8Array(289 * 4096).map((_, i) => (i * 31) >> 2);
  const args = (dev: FlashDevice, data = image) => ({
    device: dev,
    image: FlashImage.from([{ address: 0x10000, data, source: "t" }]),
    algorithm: md5 as HashAlgorithm,
    partialBlocks: "fill" as const,
    mode: "diff" as const,
  });
  const flash = new Uint8Array(0x200000).fill(0xff);
  flash.set(image, 0x10000);
  flash[0x10000 + 200 * 4096 + 7] ^= 1;
  const sparse = memoryDevice(flash);
  sparse.dev.hashCost = linkCost(115200, 16);
  const r = await queryHashesBy(createContext(), args(sparse.dev), "auto", sparse.dev.hashCost);
  deepEqual(r.blocks.flatMap((b, i) => b.same ? [] : [i]), [200]);
  // The first look, then the differing piece sector by sector (all at once: no third round).
  equal(sparse.batches.length, 2);
  ok(sparse.batches.flat().length < 60, `${sparse.batches.flat().length} requests`);

  const dense = memoryDevice(new Uint8Array(0x200000).map((_, i) => i * 3));
  dense.dev.hashCost = linkCost(115200, 16);
  const d = await queryHashesBy(createContext(), args(dense.dev), "auto", dense.dev.hashCost);
  ok(d.blocks.every((b) => !b.same));
  equal(dense.batches.length, 1);
});

Deno.test("auto finds every changed sector on every link, across spans", async () => {
  const rand = rng(2024);
  for (let trial = 0; trial < 48; trial++) {
    const [baud, bridge] = LINKS[trial % LINKS.length];
    const flash = new Uint8Array(0x200000).fill(0xff);
    const segments = [];
    let address = 0x1000;
    for (let s = 0; s < 1 + Math.floor(rand() * 3); s++) {
      const data = new Uint8Array((1 + Math.floor(rand() * 120)) * 4096).map(() => rand() * 256);
      segments.push({ address, data, source: `s${s}` });
      address += data.length + (1 + Math.floor(rand() * 4)) * 4096;
    }
    const img = FlashImage.from(segments);
    const truth = new Set<number>();
    const mode = rand();
    for (const seg of segments) {
      flash.set(seg.data, seg.address);
      const n = seg.data.length / 4096;
      // Identical, a few scattered changes, a dense run, or everything.
      const changed = (s: number) =>
        mode < 0.25 ? false : mode < 0.5 ? rand() < 0.03 : mode < 0.75 ? s > n / 3 : rand() < 0.9;
      for (let s = 0; s < n; s++) {
        if (!changed(s)) continue;
        const at = seg.address + s * 4096 + Math.floor(rand() * 4096);
        flash[at] ^= 0x40;
        truth.add(at & ~0xfff);
      }
    }
    const { dev } = memoryDevice(flash);
    dev.hashCost = linkCost(baud, bridge);
    const r = await queryHashesBy(
      createContext(),
      {
        device: dev,
        image: img,
        algorithm: md5 as HashAlgorithm,
        partialBlocks: "fill",
        mode: "diff",
      },
      "auto",
      dev.hashCost,
    );
    for (const b of r.blocks) {
      if (truth.has(b.address)) equal(b.same, false, `trial ${trial} 0x${b.address.toString(16)}`);
    }
    // Sectors reported the same really are.
    for (const b of r.blocks) if (b.same) ok(!truth.has(b.address));
  }
});

Deno.test("on a slow link a matching run inside a changed image is found from its edges", async () => {
  const image = new Uint8Array(289 * 4096).map((_, i) => (i * 29) >> 3);
  const flash = new Uint8Array(0x200000).map((_, i) => i * 5);
  flash.set(image.subarray(100 * 4096, 121 * 4096), 0x10000 + 100 * 4096);
  const { dev, batches } = memoryDevice(flash);
  dev.hashCost = linkCost(115200, 16);
  const r = await queryHashesBy(
    createContext(),
    {
      device: dev,
      image: FlashImage.from([{ address: 0x10000, data: image, source: "t" }]),
      algorithm: md5 as HashAlgorithm,
      partialBlocks: "fill",
      mode: "diff",
    },
    "auto",
    dev.hashCost,
  );
  const same = r.blocks.flatMap((b, i) => b.same ? [i] : []);
  deepEqual(same, Array.from({ length: 21 }, (_, i) => 100 + i));
  // The first look, then the two edge pieces side by side, a few levels deep.
  ok(batches.length <= 4, `${batches.length} batches`);
  ok(batches.flat().length < 60, `${batches.flat().length} requests`);
});
