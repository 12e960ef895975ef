/**
 * ESP strategies on the simulated chip, all through our pipeline and the same link model:
 * esptool-style full flash, espflash-style whole-segment MD5 skip, esptool `--diff-with`
 * (host diff against the old file), and ours with each hash strategy.
 *
 * @module
 */
import { deflateSync } from "node:zlib";
import {
  type BlockComparison,
  compareImages,
  digestsEqual,
  flash,
  type FlashDevice,
  type FlashImage,
  type FlashRecordStore,
  type HashAlgorithm,
  type HashReport,
  planBlocks,
  recordOf,
  type Registry,
  type RunContext,
  touchedBlocks,
  VerifyError,
} from "../kernel/mod.ts";
import { espSim, EspSimBank } from "../sim/esp/plugin.ts";
import type { EspDevice as SimEspDevice } from "../sim/esp/device.ts";
import { ESP_TIMING, lineMs, md5Ms, programMs, rangeEraseMs } from "../sim/esp/timing.ts";
import { CHIPS } from "../targets/esp/chips.ts";
import { loadStubImage, stubUploadBytes } from "../targets/esp/stub.ts";
import { espTargets } from "../targets/esp/plugin.ts";
import { changedBlocks, holds, loadFor, registryWith, timedContext } from "./harness.ts";
import type { LowerBound, RunMetrics } from "./measure.ts";
import type { Scenario } from "./scenarios.ts";
import type { BenchParams } from "./params.ts";

/** Default line rate: esptool's default `--baud` (460800). */
export const ESP_DEFAULT_BAUD = 460800;

/** The ESP strategies, in table order. */
export const ESP_STRATEGIES = [
  { name: "esptool full (compressed)", label: "esptool", role: "peer" },
  { name: "espflash whole-segment MD5", label: "espflash", role: "peer" },
  { name: "esptool --diff-with old", label: "diff-with", role: "peer" },
  { name: "deltaflash auto", strategy: "auto", role: "ours" },
  { name: "deltaflash auto + flash record", strategy: "auto", record: true, role: "ours" },
  { name: "deltaflash per-sector", strategy: "per-sector", role: "ours" },
  { name: "deltaflash bisect", strategy: "bisect", role: "ours" },
  { name: "deltaflash whole-then-sector", strategy: "whole-then-sector", role: "ours" },
] as const;

/** One ESP strategy. */
export type EspStrategy = (typeof ESP_STRATEGIES)[number];

/** Counts wire bytes and commands at the simulated chip (the same for every client). */
export function countWire(
  dev: SimEspDevice,
): () => { bytesOut: number; bytesIn: number; roundTrips: number } {
  let bytesOut = 0, bytesIn = 0, commands = 0;
  const receive = dev.receive.bind(dev);
  dev.receive = (b, baud) => {
    bytesOut += b.length;
    receive(b, baud);
  };
  const attach = dev.attachTx.bind(dev);
  dev.attachTx = (sink) =>
    attach(
      sink && ((b, baud) => {
        bytesIn += b.length;
        sink(b, baud);
      }),
    );
  const push = dev.history.push.bind(dev.history);
  dev.history.push = (...r) => {
    commands += r.length;
    return push(...r);
  };
  return () => ({ bytesOut, bytesIn, roundTrips: commands });
}

/** espflash ≥ 3: one MD5 over each contiguous image span; equal → skip it, else write it all. */
function wholeSegmentMd5(registry: Registry, target: string): void {
  registry.wrapStage("queryHashes", () => async (ctx, { device, image, algorithm }) => {
    const spans = image.ranges();
    const digests = await device.hash(ctx, algorithm.name, spans);
    const blocks: BlockComparison[] = [];
    spans.forEach((r, i) => {
      const same = digestsEqual(
        algorithm.digest(image.read(r.start, r.end - r.start, 0xff)),
        digests[i],
      );
      for (const b of touchedBlocks(image.slice(r.start, r.end), device.layout)) {
        blocks.push({ ...b, same });
      }
    });
    return { algorithm: algorithm.name, blocks, requests: spans.length } satisfies HashReport;
  }, { targets: [target] });
}

/**
 * Peers hash only after they have written (esptool and espflash verify with MD5 commands once
 * the data is in): their writes carry no checks for verify to use.
 */
function writeThenVerify(registry: Registry, target: string): void {
  registry.wrapStage("write", (next) => (ctx, args) => next(ctx, { ...args, checks: undefined }), {
    targets: [target],
  });
}

/** MD5 of each contiguous span of `image` on the device; the spans that differ. */
async function spansDiffer(
  ctx: RunContext,
  device: FlashDevice,
  image: FlashImage,
  algorithm: HashAlgorithm,
): Promise<number[]> {
  const spans = image.ranges();
  const digests = await device.hash(ctx, algorithm.name, spans);
  return spans.filter((r, i) =>
    !digestsEqual(algorithm.digest(image.read(r.start, r.end - r.start, 0xff)), digests[i])
  ).map((r) => r.start);
}

/**
 * esptool `--diff-with`: changed sectors from the two files, no device hashing, runs of
 * exactly the changed sectors (the kernel's planner, not our ESP one); then one MD5 of each
 * whole file, also when nothing changed (reference §2.8).
 */
function hostDiff(registry: Registry, target: string, old: FlashImage): void {
  const images = new WeakMap<object, FlashImage>();
  registry.wrapStage("queryHashes", () => async (ctx, { device, image, algorithm }) => {
    const changed = new Set(compareImages(old, image, 4096).differentBlocks);
    const blocks = touchedBlocks(image, device.layout).map((b) => ({
      ...b,
      same: !changed.has(b.address),
    }));
    // Nothing to write: esptool still checks the whole file's MD5 (our verify stage is skipped).
    if (blocks.every((b) => b.same)) {
      const bad = await spansDiffer(ctx, device, image, algorithm);
      if (bad.length) throw new VerifyError(bad);
    }
    return { algorithm: algorithm.name, blocks, requests: 0 };
  }, { targets: [target] });
  registry.wrapStage("plan", () => (_ctx, args) => {
    const plan = planBlocks(args);
    images.set(plan, args.image);
    return Promise.resolve(plan);
  }, { targets: [target] });
  registry.wrapStage("verify", () => async (ctx, { device, plan, algorithm }) => {
    const bad = await spansDiffer(ctx, device, images.get(plan)!, algorithm);
    if (bad.length) throw new VerifyError(bad);
    return { blocks: plan.totals.write, requests: 1 };
  }, { targets: [target] });
}

/** Runs one strategy on one scenario in a fresh simulator and clock. */
export async function runEsp(sc: Scenario, s: EspStrategy, p: BenchParams): Promise<RunMetrics> {
  const bank = new EspSimBank({ latencyMs: p.latencyMs });
  const registry = await registryWith(espSim(bank), espTargets());
  const oldImage = await loadFor(registry, sc.target, sc.old);
  if (s.name.startsWith("espflash")) wholeSegmentMd5(registry, sc.target);
  if (s.name.startsWith("esptool --diff")) hostDiff(registry, sc.target, oldImage);
  if (s.role === "peer") writeThenVerify(registry, sc.target);
  const dev = await preload(bank, sc, oldImage);
  const wire = countWire(dev);
  const { ctx, clock, connectMs } = timedContext();
  const r = await flash(registry, ctx, {
    target: sc.target,
    inputs: sc.new,
    ...("record" in s ? { record: previousRun(oldImage, dev.flash.size, registry) } : {}),
    mode: s.name.startsWith("esptool full") ? "full" : "diff",
    connect: {
      port: sc.address,
      baud: p.baud ?? ESP_DEFAULT_BAUD,
      // No reset into the app at the end, and a running stub stays: the esptool-js peer's
      // clock also stops before its (no-op, on these chips) leave-the-stub step.
      options: {
        hashStrategy: "strategy" in s ? s.strategy : "auto",
        latencyMs: p.latencyMs,
        after: "no-reset-no-stub",
      },
    },
  });
  return {
    ms: clock.now(),
    connectMs: connectMs(),
    ...wire(),
    erased: dev.flash.counters.sectorsErased,
    programmedKiB: dev.flash.counters.pagesProgrammed / 4,
    ok: holds(r.image, (a, n) => dev.flash.read(a, n)),
    estimateMs: s.role === "ours" ? r.plan.estimate?.ms : undefined,
  };
}

/**
 * The flash record a verified deltaflash run of `old` left behind (the edit-build-flash loop:
 * the board was last flashed by us, with the old build), for whichever device asks.
 */
function previousRun(old: FlashImage, flashSize: number, registry: Registry): FlashRecordStore {
  const record = recordOf(old, flashLayout(flashSize), registry.hash("md5"));
  return { load: () => Promise.resolve(record), save: () => Promise.resolve() };
}

/** The simulated chip's flash as one region of 4 KiB sectors. */
function flashLayout(size: number) {
  return { regions: [{ name: "flash", start: 0, size, blockSize: 4096, erasedValue: 0xff }] };
}

/** A fresh simulated chip holding `old`, written through the bank (no timed flash). */
export async function preload(
  bank: EspSimBank,
  sc: Scenario,
  old: FlashImage,
): Promise<SimEspDevice> {
  const dev = await bank.device(sc.address, sc.target);
  for (const s of old.segments) dev.flash.bytes.set(s.data, s.address);
  return dev;
}

/** The lower bound for a scenario at the bench's link settings. */
export async function espBound(
  sc: Scenario,
  p: BenchParams,
  connectMs: number,
): Promise<LowerBound> {
  const bank = new EspSimBank();
  const registry = await registryWith(espSim(bank), espTargets());
  const oldImage = await loadFor(registry, sc.target, sc.old);
  const newImage = await loadFor(registry, sc.target, sc.new);
  const dev = await preload(bank, sc, oldImage);
  const layout = flashLayout(dev.flash.size);
  const changed = changedBlocks(newImage, layout, (a, n) => dev.flash.read(a, n), "fill");
  const touched = touchedBlocks(newImage, layout).reduce((n, b) => n + b.size, 0);
  let wire = 0, flashWork = 0;
  for (const run of runsOf(changed)) {
    wire += Math.min(run.data.length, deflateSync(run.data, { level: 9 }).length);
    flashWork += rangeEraseMs(run.address / 4096, run.data.length / 4096) +
      programMs(run.data.length / 256);
  }
  const baud = p.baud ?? ESP_DEFAULT_BAUD;
  const chip = CHIPS[sc.target];
  const stub = chip && await loadStubImage(chip);
  return {
    connectMs,
    hashMs: md5Ms(touched),
    transferMs: lineMs(wire, baud),
    flashMs: flashWork,
    // The stub's bytes at the session's rate, one turnaround, and its start-up.
    esp: stub
      ? {
        stubUploadMs: lineMs(stubUploadBytes(stub), baud) + 2 * (p.latencyMs ?? 1) +
          ESP_TIMING.stubStartMs,
      }
      : undefined,
  };
}

/** Merges address-contiguous blocks into runs. */
export function runsOf(blocks: readonly { address: number; size: number; data: Uint8Array }[]) {
  const runs: { address: number; data: Uint8Array }[] = [];
  let parts: Uint8Array[] = [], start = -1, end = -1;
  const flush = () => {
    if (!parts.length) return;
    const data = new Uint8Array(end - start);
    let o = 0;
    for (const x of parts) (data.set(x, o), o += x.length);
    runs.push({ address: start, data });
    parts = [];
  };
  for (const b of blocks) {
    if (b.address !== end) (flush(), start = b.address);
    parts.push(b.data);
    end = b.address + b.size;
  }
  flush();
  return runs;
}
