/**
 * Differential hashing with few round trips: the queryHashes stage for ESP targets.
 *
 * Each contiguous span of touched sectors is first hashed in pieces: one for `bisect` and
 * `whole-then-sector`, one a sector for `per-sector`, and for `auto` as many as a pipelined
 * batch carries for the price of one MD5 of the span on this link (strategy_cost.ts). An
 * equal piece costs nothing more, and one that hashes like erased flash is resolved on the
 * host. A differing piece is split (bisection, k-way, or straight to sectors) as the cost
 * model says, and every batch is pipelined by the device. When all hashed children of a
 * split match, the last, unhashed one must differ, so it is never asked for.
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
import { P_CHANGED, P_DENSE, type Planner, plannerFor } from "./strategy_cost.ts";

export { batchMs } from "./strategy_cost.ts";

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
  side = 1,
): number {
  return splitPlan(n, strategy, cost, sector, dense, side).f;
}

/**
 * How to split a differing node: into `f` pieces, hashing all of them (`all`) or all but the
 * last. `auto` hashes every sector at once where changes look dense (the last would differ
 * too) or where one more request costs less than the round its answer might need; `side`
 * nodes are split in the same batch.
 */
export function splitPlan(
  n: number,
  strategy: HashStrategy,
  cost: HashCostHint,
  sector: number,
  dense = false,
  side = 1,
): { f: number; all: boolean } {
  if (strategy === "bisect") return { f: 2, all: false };
  if (strategy !== "auto") return { f: n, all: false };
  if (dense) return { f: n, all: true };
  const { f, all } = plannerFor(cost, sector).localise(n, side);
  return { f, all };
}

/**
 * Pieces for the first look at a span of `n` sectors: `per-sector` one a sector,
 * `bisect` and `whole-then-sector` one, `auto` as the cost model says
 * ({@link Planner.firstPieces}).
 */
export function firstPieces(
  n: number,
  strategy: HashStrategy,
  cost: HashCostHint,
  sector: number,
): number {
  if (strategy === "per-sector") return n;
  if (strategy !== "auto") return 1;
  return plannerFor(cost, sector).firstPieces(n);
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
  // Rewriting one sector of a large write: its deflated bytes on the line or programming it,
  // whichever is longer, since the stub that large writes go through programs one block while
  // the next arrives (write.ts).
  const writeMs = (i: number) =>
    Math.max(
      (cost.byteMs ?? cost.requestMs / 46) * deflateSync(expected[i], { level: 1 }).length,
      expected[i].length / 256 * FLASH_TIMING.pageProgramMs,
    );
  const planner = plannerFor(cost, sector);
  const look = await firstLook(spans, strategy, cost, planner, same, addressOf, writeMs, batch);
  let toHash = look.next;
  let firstDone = false;
  const deferred: Node[] = [];
  while (toHash.length || groups.length || dirty.length) {
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
    if (!firstDone) look.record(result);
    firstDone = true;
    // Every first-look piece is in: leave unsplit those where finding their matching sectors
    // would cost more than rewriting them, until a neighbour found to match says otherwise.
    const nodes = [...deferred.splice(0), ...dirty.splice(0)].filter((n) =>
      look.worthSplitting(n) || !deferred.push(n)
    );
    for (const n of nodes) {
      const plan = splitPlan(
        n.hi - n.lo,
        strategy,
        cost,
        sector,
        n.dense || dense.has(n),
        nodes.length,
      );
      const kids = split(n, plan.f);
      if (plan.all) {
        next.push(...kids);
        continue;
      }
      const hashed = kids.slice(0, -1);
      next.push(...hashed);
      groups.push({ hashed, last: kids[kids.length - 1] });
    }
    toHash = next;
  }

  for (const n of deferred) for (let k = n.lo; k < n.hi; k++) same[k] = false;
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

/** What the first look leaves for the main loop. */
interface FirstLook {
  /** Pieces still to hash. */
  readonly next: Node[];
  /** Whether a differing first-look piece is worth searching for its matching sectors. */
  readonly worthSplitting: (n: Node) => boolean;
  /** Takes the results of the batch that hashed {@link next}. */
  readonly record: (results: Map<Node, boolean>) => void;
}

/**
 * The first batch(es) over each span, cut into {@link Planner.firstPieces}. When the model
 * says a probe pays (prior odds of a densely changed span times the hashing it would spare,
 * against the extra turnaround it costs an unchanged span), `auto` first hashes an evenly
 * spread sample of the pieces. The rest is hashed in the next batch only when the share of
 * sampled pieces that match (counting a match only where its 64 KiB block mostly matches),
 * times what rewriting the rest would cost, outweighs hashing it; otherwise the rest is
 * written unhashed. Likewise a differing piece of several sectors is only searched when the
 * chance that some of it matches (high next to a sector known to match), times what
 * rewriting its other sectors costs, outweighs the search. Skipping hashes can only cost
 * time: unhashed sectors are written.
 */
async function firstLook(
  spans: readonly Node[],
  strategy: HashStrategy,
  cost: HashCostHint,
  planner: Planner,
  same: (boolean | undefined)[],
  addressOf: (i: number) => number,
  writeMs: (i: number) => number,
  batch: (nodes: readonly Node[]) => Promise<Map<Node, boolean>>,
): Promise<FirstLook> {
  const first: Node[] = [];
  const probed: { span: Node; picks: Node[]; rest: Node[] }[] = [];
  const pieceSpan = new Map<Node, number>();
  const spanPieces: Node[][] = [];
  const hashMs = cost.msPerByte * planner.sector;
  const sizes = (ns: readonly Node[]) => ns.map((n) => n.hi - n.lo);
  spans.forEach((span, s) => {
    const n = span.hi - span.lo;
    const pieces = split(span, firstPieces(n, strategy, cost, planner.sector));
    for (const p of pieces) pieceSpan.set(p, s);
    spanPieces.push(pieces);
    const m = n / pieces.length;
    const wanted = cost.sectorWriteMs && strategy === "auto"
      ? Math.max(16, Math.ceil(0.5 * cost.sectorWriteMs / (m * hashMs)))
      : 0;
    if (!wanted || 2 * wanted > pieces.length) return first.push(...pieces);
    const picks = Array.from(
      { length: wanted },
      (_, i) => pieces[Math.floor((i + 0.5) * pieces.length / wanted)],
    );
    const rest = pieces.filter((p) => !picks.includes(p));
    const all = planner.batch(sizes(pieces)), probe = planner.batch(sizes(picks));
    const extra = probe + planner.batch(sizes(rest)) - all;
    const pDense = P_CHANGED * P_DENSE;
    if (pDense * (all - probe) <= (1 - pDense) * extra) return first.push(...pieces);
    first.push(...picks);
    probed.push({ span, picks, rest });
  });
  const results = new Map<Node, boolean>();
  const record = (r: Map<Node, boolean>) => r.forEach((v, k) => results.set(k, v));
  record(await batch(first));
  const next: Node[] = [];
  // A matching sample only argues for hashing on if its 64 KiB block mostly matches too: in a
  // mostly changed block the planner rewrites the few matching sectors anyway (plan.ts).
  const eraseBlock = (n: Node) => Math.floor(addressOf(n.lo) / ERASE_BLOCK);
  for (const { picks, rest } of probed) {
    const useful = picks.filter((p) => {
      if (results.get(p) !== true) return false;
      const mates = picks.filter((q) => eraseBlock(q) === eraseBlock(p));
      return 2 * mates.filter((q) => results.get(q) === true).length >= mates.length;
    });
    // Expected saving of hashing the rest: the share of matching pieces times what their
    // sectors cost to rewrite, judged by the matching samples (often padding that deflates
    // to little), against the batch that hashes the rest.
    const restSectors = rest.reduce((a, p) => a + p.hi - p.lo, 0);
    const share = (useful.length + 0.5) / (picks.length + 1);
    const rewrite = meanRewrite(useful.length ? useful : picks, writeMs);
    if (share * restSectors * rewrite < planner.batch(sizes(rest))) {
      for (const p of rest) for (let i = p.lo; i < p.hi; i++) same[i] ??= false;
      continue;
    }
    next.push(...rest);
  }
  // The matching share of each span's first-look pieces, once all of them are in.
  const shareOf = (s: number) => {
    const hashed = spanPieces[s].filter((p) => results.has(p));
    return (hashed.filter((p) => results.get(p)).length + 0.5) / (hashed.length + 1);
  };
  const pieceOf: Node[] = [];
  for (const pieces of spanPieces) {
    for (const p of pieces) for (let i = p.lo; i < p.hi; i++) pieceOf[i] = p;
  }
  return {
    next,
    worthSplitting(n) {
      const s = pieceSpan.get(n);
      if (strategy !== "auto" || s === undefined || !cost.sectorWriteMs) return true;
      // Changes come in runs, so matching sectors inside a differing piece are likely next to
      // a sector known to match (a run ends inside the piece) and rare between differing ones.
      const near = [n.lo - 1, n.hi].filter((i) =>
        i >= spans[s].lo && i < spans[s].hi && results.has(pieceOf[i])
      );
      const likely = (near.filter((i) => same[i] === true).length + shareOf(s)) /
        (near.length + 1);
      const m = n.hi - n.lo;
      return likely * (m - 1) * meanRewrite([n], writeMs) > planner.localise(m).c;
    },
    record,
  };
}

/** Mean modelled cost of rewriting one sector of `nodes`. */
function meanRewrite(nodes: readonly Node[], writeMs: (i: number) => number): number {
  let sum = 0, count = 0;
  for (const n of nodes) {
    for (let i = n.lo; i < n.hi; i++) (sum += writeMs(i), count++);
  }
  return count ? sum / count : 0;
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
