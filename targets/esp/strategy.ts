/**
 * Differential hashing with few round trips: the queryHashes stage for ESP targets.
 *
 * One MD5 per contiguous span of touched sectors comes first; an equal span costs nothing
 * more, and a span that hashes like erased flash is resolved on the host. A differing span is
 * split (bisection, k-way, or straight to sectors) as the cost model says, and every batch is
 * pipelined by the device. When all hashed children of a split match, the last, unhashed one
 * must differ, so it is never asked for.
 *
 * @module
 */
import {
  type BlockComparison,
  type BlockRef,
  digestsEqual,
  type FlashDevice,
  type HashReport,
  type QueryHashesArgs,
  type RunContext,
  type StageWrapper,
  touchedBlocks,
  UsageError,
} from "../../kernel/mod.ts";
import { deflateSync } from "node:zlib";
import { ERASE_BLOCK, FLASH_TIMING } from "./chips.ts";
import type { HashCostHint } from "./device.ts";

/** How the device is asked for hashes. */
export type HashStrategy = "auto" | "per-sector" | "bisect" | "whole-then-sector";

/** The accepted strategy names. */
export const HASH_STRATEGIES: readonly HashStrategy[] = [
  "auto",
  "per-sector",
  "bisect",
  "whole-then-sector",
];

/** Checks a user-supplied strategy name. */
export function parseHashStrategy(v: unknown): HashStrategy {
  if (v === undefined) return "auto";
  if (typeof v === "string" && (HASH_STRATEGIES as readonly string[]).includes(v)) {
    return v as HashStrategy;
  }
  throw new UsageError(`unknown hash strategy '${String(v)}'`, {
    hint: `use one of: ${HASH_STRATEGIES.join(", ")}`,
  });
}

/** Default figures when the device gives none: 115200 baud ROM, 3 KB/ms MD5. */
const DEFAULT_COST: HashCostHint = { requestMs: 4, msPerByte: 1 / 3000, latencyMs: 2 };

interface Node {
  readonly lo: number;
  readonly hi: number;
  /** Siblings mostly differed: changes here are dense, go straight to sectors. */
  readonly dense?: boolean;
}

interface Group {
  readonly hashed: readonly Node[];
  readonly last: Node;
}

/** Fan-out for a differing node of `n` sectors: `n` means one request per sector. */
export function chooseFanout(
  n: number,
  strategy: HashStrategy,
  cost: HashCostHint,
  sector: number,
  dense = false,
): number {
  if (strategy === "bisect") return 2;
  if (n <= 2 || strategy !== "auto" || dense) return n;
  const w = cost.requestMs, h = cost.msPerByte * sector, L = cost.latencyMs;
  // Expected cost assuming one changed sector in the node (the common edit-build-flash case).
  const memo = new Map<number, { c: number; f: number }>();
  // Requests are pipelined, so a batch costs the larger of its wire time and its hashing
  // time, plus one turnaround. Expected cost assumes one changed sector in the node.
  const best = (m: number): { c: number; f: number } => {
    if (m <= 1) return { c: 0, f: 1 };
    const hit = memo.get(m);
    if (hit) return hit;
    let r = { c: (m - 1) * Math.max(w, h) + L, f: m };
    for (const f of [2, 3, 4, 6, 8, 12, 16, 24, 32]) {
      if (f >= m) break;
      const c = Math.max((f - 1) * w, h * m * (f - 1) / f) + L + best(Math.ceil(m / f)).c;
      if (c < r.c) r = { c, f };
    }
    memo.set(m, r);
    return r;
  };
  return best(n).f;
}

/**
 * Pieces for the first look at a span of `n` sectors: as many as the wire can carry while
 * the device hashes the whole span anyway, so an unchanged span costs what one MD5 would
 * and a changed one is already narrowed down.
 */
export function firstPieces(
  n: number,
  strategy: HashStrategy,
  cost: HashCostHint,
  sector: number,
): number {
  if (strategy === "per-sector") return n;
  if (strategy !== "auto") return 1;
  const free = Math.floor(n * cost.msPerByte * sector / cost.requestMs);
  return Math.max(1, Math.min(n, free));
}

function split(node: Node, f: number): Node[] {
  const n = node.hi - node.lo;
  const out: Node[] = [];
  for (let k = 0; k < f; k++) {
    const lo = node.lo + Math.floor(k * n / f), hi = node.lo + Math.floor((k + 1) * n / f);
    if (hi > lo) out.push({ lo, hi });
  }
  return out;
}

/** Runs the strategy; exported for tests and benchmarks. */
export async function queryHashesBy(
  ctx: RunContext,
  args: QueryHashesArgs,
  strategy: HashStrategy,
): Promise<HashReport> {
  const { device, image, algorithm } = args;
  const blocks: BlockRef[] = touchedBlocks(image, device.layout);
  const erased = device.layout.regions[0]?.erasedValue ?? 0xff;
  const expected = blocks.map((b) => image.read(b.address, b.size, erased));
  const same: (boolean | undefined)[] = blocks.map(() => undefined);
  const cost = (device as FlashDevice & { hashCost?: HashCostHint }).hashCost ?? DEFAULT_COST;
  const sector = blocks[0]?.size ?? 4096;
  const blankDigests = new Map<number, Uint8Array>();
  const concat = (n: Node) => {
    const len = blocks.slice(n.lo, n.hi).reduce((a, b) => a + b.size, 0);
    const out = new Uint8Array(len);
    let o = 0;
    for (let i = n.lo; i < n.hi; i++) {
      out.set(expected[i], o);
      o += expected[i].length;
    }
    return out;
  };
  const blank = (len: number) => {
    let d = blankDigests.get(len);
    if (!d) blankDigests.set(len, d = algorithm.digest(new Uint8Array(len).fill(erased)));
    return d;
  };
  const isBlank = (data: Uint8Array) => data.every((b) => b === erased);

  // Spans of address-contiguous blocks of one size.
  const spans: Node[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const prev = blocks[i - 1];
    if (prev && prev.address + prev.size === blocks[i].address && prev.size === blocks[i].size) {
      spans[spans.length - 1] = { lo: spans[spans.length - 1].lo, hi: i + 1 };
    } else spans.push({ lo: i, hi: i + 1 });
  }

  let groups: Group[] = [];
  let requests = 0, rounds = 0;
  const dirty: Node[] = [];
  const markDirty = (n: Node) => {
    if (n.hi - n.lo === 1) same[n.lo] = false;
    else dirty.push(n);
  };
  /** Hashes `nodes` in one pipelined batch; true per node whose bytes all match. */
  const batch = async (nodes: readonly Node[]): Promise<Map<Node, boolean>> => {
    const result = new Map<Node, boolean>();
    if (!nodes.length) return result;
    const digests = await device.hash(
      ctx,
      algorithm.name,
      nodes.map((n) => ({
        start: blocks[n.lo].address,
        end: blocks[n.hi - 1].address + blocks[n.hi - 1].size,
      })),
    );
    rounds++;
    requests += nodes.length;
    nodes.forEach((n, i) => {
      const data = concat(n);
      if (digestsEqual(algorithm.digest(data), digests[i])) {
        for (let k = n.lo; k < n.hi; k++) same[k] = true;
        result.set(n, true);
        return;
      }
      result.set(n, false);
      if (digestsEqual(blank(data.length), digests[i])) {
        // Erased on the device: a sector is right exactly when the image wants it erased.
        for (let k = n.lo; k < n.hi; k++) same[k] = isBlank(expected[k]);
        return;
      }
      markDirty(n);
    });
    return result;
  };

  const addressOf = (i: number) => blocks[i].address;
  // Rewriting one sector: its deflated bytes on the line plus programming it.
  const writeMs = (i: number) =>
    (cost.byteMs ?? cost.requestMs / 46) * deflateSync(expected[i], { level: 1 }).length +
    expected[i].length / 256 * FLASH_TIMING.pageProgramMs;
  let toHash = await firstLook(spans, strategy, cost, sector, same, addressOf, writeMs, batch);
  while (toHash.length || groups.length) {
    const result = await batch(toHash);
    const next: Node[] = [];
    const dense = new Set<Node>();
    for (const g of groups) {
      // Mostly-changed siblings predict dense changes below them: go straight to sectors.
      const differing = g.hashed.filter((n) => result.get(n) === false).length;
      const isDense = g.hashed.length >= 2 && differing * 2 > g.hashed.length;
      if (isDense) { for (const n of g.hashed) dense.add(n); }
      if (differing === 0) markDirty(g.last);
      else next.push(isDense ? { ...g.last, dense: true } : g.last);
    }
    groups = [];
    for (const n of dirty.splice(0)) {
      const f = chooseFanout(n.hi - n.lo, strategy, cost, sector, n.dense || dense.has(n));
      const kids = split(n, f);
      const hashed = kids.slice(0, -1);
      next.push(...hashed);
      groups.push({ hashed, last: kids[kids.length - 1] });
    }
    toHash = next;
  }

  const out: BlockComparison[] = blocks.map((b, i) => ({
    address: b.address,
    size: b.size,
    covered: b.covered,
    same: same[i] === true,
  }));
  for (const b of out) {
    ctx.emit({
      type: "block",
      address: b.address,
      size: b.size,
      state: b.same ? "same" : "changed",
    });
  }
  ctx.log.debug(`md5 strategy ${strategy}: ${requests} requests in ${rounds} batches`);
  return { algorithm: algorithm.name, blocks: out, requests };
}

/**
 * The first batch(es) over each span. `auto` first hashes an evenly spread sample of sectors
 * when a span is long: if every sampled sector differs (or matches only inside a 64 KiB block
 * whose other samples differ), changes are dense and hashing the rest
 * would cost more than rewriting the few sectors it might spare (the sample size makes the
 * expected waste smaller than the hashing saved, under a prior that images are mostly
 * changed or mostly not), so the rest is written unhashed. Otherwise the gaps between samples
 * are looked at as usual. Skipping hashes can only cost time: unhashed sectors are written.
 */
async function firstLook(
  spans: readonly Node[],
  strategy: HashStrategy,
  cost: HashCostHint,
  sector: number,
  same: (boolean | undefined)[],
  addressOf: (i: number) => number,
  writeMs: (i: number) => number,
  batch: (nodes: readonly Node[]) => Promise<unknown>,
): Promise<Node[]> {
  const out: Node[] = [];
  const sampled: { span: Node; picks: number[] }[] = [];
  const hashMs = cost.msPerByte * sector;
  const wanted = cost.sectorWriteMs && strategy === "auto"
    ? Math.max(16, Math.ceil(0.5 * cost.sectorWriteMs / hashMs))
    : 0;
  for (const span of spans) {
    const n = span.hi - span.lo;
    if (!wanted || 2 * wanted > n) {
      out.push(...split(span, firstPieces(n, strategy, cost, sector)));
      continue;
    }
    const picks = Array.from(
      { length: wanted },
      (_, i) => span.lo + Math.floor((i + 0.5) * n / wanted),
    );
    sampled.push({ span, picks });
  }
  if (!sampled.length) return out;
  await batch(sampled.flatMap((x) => x.picks.map((i) => ({ lo: i, hi: i + 1 }))));
  // A matching sample only argues for hashing on if its 64 KiB block mostly matches too: in a
  // mostly changed block the planner rewrites the few matching sectors anyway (plan.ts).
  const eraseBlock = (i: number) => Math.floor(addressOf(i) / ERASE_BLOCK);
  for (const { span, picks } of sampled) {
    const useful = picks.filter((i) => {
      if (same[i] !== true) return false;
      const mates = picks.filter((j) => eraseBlock(j) === eraseBlock(i));
      return 2 * mates.filter((j) => same[j] === true).length >= mates.length;
    });
    // Expected saving of hashing the rest: the share of matching sectors times what one
    // costs to rewrite, judged by the matching samples (often padding that deflates to little).
    const rest = span.hi - span.lo - picks.length;
    const share = (useful.length + 0.5) / (picks.length + 1);
    const rewrite = useful.reduce((a, i) => a + writeMs(i), 0) / Math.max(1, useful.length);
    if (!useful.length || share * rest * rewrite < rest * hashMs) {
      for (let i = span.lo; i < span.hi; i++) same[i] ??= false;
      continue;
    }
    let lo = span.lo;
    for (const p of [...picks, span.hi]) {
      if (p > lo) out.push(...split({ lo, hi: p }, firstPieces(p - lo, strategy, cost, sector)));
      lo = p + 1;
    }
  }
  return out;
}

/** The queryHashes wrapper for ESP targets. */
export function espQueryHashes(): StageWrapper<"queryHashes"> {
  return (next) => (ctx, args) => {
    const { device, image, partialBlocks } = args;
    const strategy = (device as FlashDevice & { hashStrategy?: HashStrategy }).hashStrategy;
    if (!strategy || device.hashGranularity !== "any") return next(ctx, args);
    if (!device.hashAlgorithms.includes(args.algorithm.name)) return next(ctx, args);
    // Keeping uncovered bytes needs a readback; the kernel's stage does that (or explains).
    const partial = touchedBlocks(image, device.layout).some((b) => b.covered < b.size);
    if (partial && partialBlocks === "keep") return next(ctx, args);
    return queryHashesBy(ctx, args, strategy);
  };
}
