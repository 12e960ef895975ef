/**
 * Differential hashing with few round trips: the queryHashes stage for ESP targets.
 *
 * Each contiguous span of touched sectors is first hashed in pieces: one for `bisect` and
 * `whole-then-sector`, one a sector for `per-sector`, and for `auto` as many as a pipelined
 * batch carries for the price of one MD5 of the span on this link (cost.ts). An equal piece
 * costs nothing more, and one that hashes like erased flash is resolved on the host. A
 * differing piece is split (bisection, k-way, or straight to sectors) as the cost model
 * says, and every batch is pipelined by the device. When all hashed children of a split
 * match, the last, unhashed one must differ, so it is never asked for.
 *
 * @module
 */
import {
  type BlockComparison,
  type BlockRef,
  digestsEqual,
  type HashReport,
  type QueryHashesArgs,
  type RunContext,
  type StageWrapper,
  touchedBlocks,
} from "../../kernel/mod.ts";
import { deflateSync } from "node:zlib";
import { ERASE_BLOCK } from "./chips.ts";
import {
  DEFAULT_HASH_COST,
  type HashCostHint,
  P_CHANGED,
  P_DENSE,
  Planner,
  programMs,
} from "./cost.ts";
import type { EspDevice } from "./device.ts";
import type { HashStrategy } from "./options.ts";

/** A run of sectors `lo..hi` (indices into the touched blocks). */
interface Node {
  readonly lo: number;
  readonly hi: number;
  /** Siblings mostly differed: changes here are dense, go straight to sectors. */
  readonly dense?: boolean;
}

/** Hashed children of a split, and the last one, left unhashed until a sibling differs. */
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
  return splitPlan(n, strategy, new Planner(cost, sector), dense, side).f;
}

/**
 * How to split a differing node: into `f` pieces, hashing all of them (`all`) or all but the
 * last. `auto` hashes every sector at once where changes look dense (the last would differ
 * too) or where one more request costs less than the round its answer might need; `side`
 * nodes are split in the same batch.
 */
function splitPlan(
  n: number,
  strategy: HashStrategy,
  planner: Planner,
  dense = false,
  side = 1,
): { f: number; all: boolean } {
  if (strategy === "bisect") return { f: 2, all: false };
  if (strategy !== "auto") return { f: n, all: false };
  if (dense) return { f: n, all: true };
  const { f, all } = planner.localise(n, side);
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
  return piecesFor(n, strategy, new Planner(cost, sector));
}

function piecesFor(n: number, strategy: HashStrategy, planner: Planner): number {
  if (strategy === "per-sector") return n;
  if (strategy !== "auto") return 1;
  return planner.firstPieces(n);
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

/** Runs the strategy with the link figures `cost`; exported for tests and benchmarks. */
export function queryHashesBy(
  ctx: RunContext,
  args: QueryHashesArgs,
  strategy: HashStrategy,
  cost: HashCostHint = DEFAULT_HASH_COST,
): Promise<HashReport> {
  return new HashSearch(ctx, args, strategy, cost).run();
}

/**
 * With a flash record: blocks it knows are taken at its word (unchanged ones `unconfirmed`,
 * for verify to hash; changed ones written unasked), and only the blocks it does not know
 * are searched.
 */
async function queryWithRecord(
  ctx: RunContext,
  args: QueryHashesArgs,
  recorded: ReadonlyMap<number, boolean>,
  strategy: HashStrategy,
  cost: HashCostHint,
): Promise<HashReport> {
  const touched = touchedBlocks(args.image, args.device.layout);
  const unknown = touched.filter((b) => !recorded.has(b.address));
  const searched = unknown.length
    ? await new HashSearch(ctx, args, strategy, cost, (b) => !recorded.has(b.address)).run()
    : { algorithm: args.algorithm.name, blocks: [], requests: 0 };
  const found = new Map(searched.blocks.map((b) => [b.address, b]));
  const blocks: BlockComparison[] = touched.map((b) => {
    const hashed = found.get(b.address);
    if (hashed) return hashed;
    const same = recorded.get(b.address) === true;
    ctx.emit({ type: "block", address: b.address, size: b.size, state: same ? "same" : "assumed" });
    return same
      ? { address: b.address, size: b.size, covered: b.covered, same, unconfirmed: true }
      : { address: b.address, size: b.size, covered: b.covered, same, assumed: true };
  });
  return { algorithm: args.algorithm.name, blocks, requests: searched.requests };
}

/** The state of one search: what is known of each touched sector, and the requests made. */
class HashSearch {
  readonly #ctx: RunContext;
  readonly #args: QueryHashesArgs;
  readonly #strategy: HashStrategy;
  readonly #cost: HashCostHint;
  readonly #planner: Planner;
  readonly #blocks: BlockRef[];
  readonly #erased: number;
  /** The bytes each touched sector must hold. */
  readonly #expected: Uint8Array[];
  /** Per sector: true when the device holds its bytes, false when not, undefined unknown. */
  readonly #same: (boolean | undefined)[];
  /** Sectors left unasked because rewriting them costs less than finding out: written. */
  readonly #assumed = new Set<number>();
  readonly #blankDigests = new Map<number, Uint8Array>();
  /** Differing nodes of several sectors, to split. */
  readonly #dirty: Node[] = [];
  #requests = 0;
  #rounds = 0;

  constructor(
    ctx: RunContext,
    args: QueryHashesArgs,
    strategy: HashStrategy,
    cost: HashCostHint,
    only: (b: BlockRef) => boolean = () => true,
  ) {
    this.#ctx = ctx;
    this.#args = args;
    this.#strategy = strategy;
    this.#cost = cost;
    const { device, image } = args;
    this.#blocks = touchedBlocks(image, device.layout).filter(only);
    this.#erased = device.layout.regions[0]?.erasedValue ?? 0xff;
    this.#expected = this.#blocks.map((b) => image.read(b.address, b.size, this.#erased));
    this.#same = this.#blocks.map(() => undefined);
    this.#planner = new Planner(cost, this.#blocks[0]?.size ?? 4096);
  }

  /** Hashes until every touched sector is known to match or to differ. */
  async run(): Promise<HashReport> {
    const strategy = this.#strategy;
    const look = await this.#firstLook(this.#spans());
    let toHash = look.next;
    let groups: Group[] = [];
    let firstDone = false;
    const deferred: Node[] = [];
    while (toHash.length || groups.length || this.#dirty.length) {
      const result = await this.#batch(toHash);
      const next: Node[] = [];
      const dense = new Set<Node>();
      for (const g of groups) {
        // Mostly-changed siblings predict dense changes below them: go straight to sectors.
        const differing = g.hashed.filter((n) => result.get(n) === false).length;
        const isDense = g.hashed.length >= 2 && differing * 2 > g.hashed.length;
        if (isDense) { for (const n of g.hashed) dense.add(n); }
        if (differing === 0) this.#markDirty(g.last);
        else next.push(isDense ? { ...g.last, dense: true } : g.last);
      }
      groups = [];
      if (!firstDone) look.record(result);
      firstDone = true;
      // Every first-look piece is in: leave unsplit those where finding their matching
      // sectors would cost more than rewriting them, until a neighbour found to match says
      // otherwise.
      const nodes = [...deferred.splice(0), ...this.#dirty.splice(0)].filter((n) =>
        look.worthSplitting(n) || !deferred.push(n)
      );
      for (const n of nodes) {
        const isDense = n.dense || dense.has(n);
        const plan = splitPlan(n.hi - n.lo, strategy, this.#planner, isDense, nodes.length);
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
    // A differing piece left unsplit: which of its sectors differ is not known.
    for (const n of deferred) for (let k = n.lo; k < n.hi; k++) this.#assume(k);
    return this.#report();
  }

  /** Spans of address-contiguous blocks of one size. */
  #spans(): Node[] {
    const blocks = this.#blocks;
    const spans: Node[] = [];
    for (let i = 0; i < blocks.length; i++) {
      const prev = blocks[i - 1];
      if (prev && prev.address + prev.size === blocks[i].address && prev.size === blocks[i].size) {
        spans[spans.length - 1] = { lo: spans[spans.length - 1].lo, hi: i + 1 };
      } else spans.push({ lo: i, hi: i + 1 });
    }
    return spans;
  }

  #report(): HashReport {
    const { algorithm } = this.#args;
    const out: BlockComparison[] = this.#blocks.map((b, i) => ({
      address: b.address,
      size: b.size,
      covered: b.covered,
      same: this.#same[i] === true,
      ...(this.#assumed.has(i) ? { assumed: true } : {}),
    }));
    for (const b of out) {
      this.#ctx.emit({
        type: "block",
        address: b.address,
        size: b.size,
        state: b.same ? "same" : b.assumed ? "assumed" : "changed",
      });
    }
    this.#ctx.log.debug(
      `md5 strategy ${this.#strategy}: ${this.#requests} requests in ${this.#rounds} batches`,
    );
    return { algorithm: algorithm.name, blocks: out, requests: this.#requests };
  }

  /** Sector `i` is written unasked, unless a hash already told what it holds. */
  #assume(i: number): void {
    if (this.#same[i] !== undefined) return;
    this.#assumed.add(i);
    this.#same[i] = false;
  }

  #markDirty(n: Node): void {
    if (n.hi - n.lo === 1) this.#same[n.lo] = false;
    else this.#dirty.push(n);
  }

  #concat(n: Node): Uint8Array {
    const len = this.#blocks.slice(n.lo, n.hi).reduce((a, b) => a + b.size, 0);
    const out = new Uint8Array(len);
    let o = 0;
    for (let i = n.lo; i < n.hi; i++) {
      out.set(this.#expected[i], o);
      o += this.#expected[i].length;
    }
    return out;
  }

  #blank(len: number): Uint8Array {
    let d = this.#blankDigests.get(len);
    if (!d) {
      this.#blankDigests.set(
        len,
        d = this.#args.algorithm.digest(new Uint8Array(len).fill(this.#erased)),
      );
    }
    return d;
  }

  /** Hashes `nodes` in one pipelined batch; true per node whose bytes all match. */
  async #batch(nodes: readonly Node[]): Promise<Map<Node, boolean>> {
    const result = new Map<Node, boolean>();
    if (!nodes.length) return result;
    const { device, algorithm } = this.#args;
    const blocks = this.#blocks, same = this.#same;
    const digests = await device.hash(
      this.#ctx,
      algorithm.name,
      nodes.map((n) => ({
        start: blocks[n.lo].address,
        end: blocks[n.hi - 1].address + blocks[n.hi - 1].size,
      })),
    );
    this.#rounds++;
    this.#requests += nodes.length;
    nodes.forEach((n, i) => {
      const data = this.#concat(n);
      if (digestsEqual(algorithm.digest(data), digests[i])) {
        for (let k = n.lo; k < n.hi; k++) same[k] = true;
        result.set(n, true);
        return;
      }
      result.set(n, false);
      if (digestsEqual(this.#blank(data.length), digests[i])) {
        // Erased on the device: a sector is right exactly when the image wants it erased.
        for (let k = n.lo; k < n.hi; k++) {
          same[k] = this.#expected[k].every((b) => b === this.#erased);
        }
        return;
      }
      this.#markDirty(n);
    });
    return result;
  }

  /**
   * Rewriting one sector of a large write: its deflated bytes on the line or programming it,
   * whichever is longer, since the stub that large writes go through programs one block
   * while the next arrives (write.ts).
   */
  #writeMs(i: number): number {
    const data = this.#expected[i];
    return Math.max(
      (this.#cost.byteMs ?? this.#cost.requestMs / 46) * deflateSync(data, { level: 1 }).length,
      programMs(data.length),
    );
  }

  /** Mean modelled cost of rewriting one sector of `nodes`. */
  #meanRewrite(nodes: readonly Node[]): number {
    let sum = 0, count = 0;
    for (const n of nodes) {
      for (let i = n.lo; i < n.hi; i++) (sum += this.#writeMs(i), count++);
    }
    return count ? sum / count : 0;
  }

  /**
   * The first batch(es) over each span, cut into {@link Planner.firstPieces}. When the model
   * says a probe pays (prior odds of a densely changed span times the hashing it would
   * spare, against the extra turnaround it costs an unchanged span), `auto` first hashes an
   * evenly spread sample of the pieces. The rest is hashed in the next batch only when the
   * share of sampled pieces that match (counting a match only where its 64 KiB block mostly
   * matches), times what rewriting the rest would cost, outweighs hashing it; otherwise the
   * rest is written unhashed. Likewise a differing piece of several sectors is only searched
   * when the chance that some of it matches (high next to a sector known to match), times
   * what rewriting its other sectors costs, outweighs the search. Skipping hashes can only
   * cost time: unhashed sectors are written.
   */
  async #firstLook(spans: readonly Node[]): Promise<FirstLook> {
    const strategy = this.#strategy, cost = this.#cost, planner = this.#planner;
    const same = this.#same;
    const first: Node[] = [];
    const probed: { span: Node; picks: Node[]; rest: Node[] }[] = [];
    const pieceSpan = new Map<Node, number>();
    const spanPieces: Node[][] = [];
    const hashMs = cost.msPerByte * planner.sector;
    const sizes = (ns: readonly Node[]) => ns.map((n) => n.hi - n.lo);
    spans.forEach((span, s) => {
      const n = span.hi - span.lo;
      const pieces = split(span, piecesFor(n, strategy, planner));
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
    record(await this.#batch(first));
    const next: Node[] = [];
    // A matching sample only argues for hashing on if its 64 KiB block mostly matches too: in
    // a mostly changed block the planner rewrites the few matching sectors anyway (plan.ts).
    const eraseBlock = (n: Node) => Math.floor(this.#blocks[n.lo].address / ERASE_BLOCK);
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
      const rewrite = this.#meanRewrite(useful.length ? useful : picks);
      if (share * restSectors * rewrite < planner.batch(sizes(rest))) {
        for (const p of rest) for (let i = p.lo; i < p.hi; i++) this.#assume(i);
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
      worthSplitting: (n) => {
        const s = pieceSpan.get(n);
        if (strategy !== "auto" || s === undefined || !cost.sectorWriteMs) return true;
        // Changes come in runs, so matching sectors inside a differing piece are likely next
        // to a sector known to match (a run ends inside the piece) and rare between differing
        // ones.
        const near = [n.lo - 1, n.hi].filter((i) =>
          i >= spans[s].lo && i < spans[s].hi && results.has(pieceOf[i])
        );
        const likely = (near.filter((i) => same[i] === true).length + shareOf(s)) /
          (near.length + 1);
        const m = n.hi - n.lo;
        return likely * (m - 1) * this.#meanRewrite([n]) > planner.localise(m).c;
      },
      record,
    };
  }
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
 * The queryHashes wrapper for ESP targets: the device's strategy and link figures decide how
 * it is asked; full mode and partial blocks kept from the device go to the stage below.
 */
export function espQueryHashes(): StageWrapper<"queryHashes", EspDevice> {
  return (next) => (ctx, args) => {
    const { device, image, partialBlocks } = args;
    // Full mode writes every block: the stage below knows it needs no hashes.
    if (args.mode === "full") return next(ctx, args);
    if (!device.hashAlgorithms.includes(args.algorithm.name)) return next(ctx, args);
    // Keeping uncovered bytes needs a readback; the kernel's stage does that (or explains).
    const partial = touchedBlocks(image, device.layout).some((b) => b.covered < b.size);
    if (partial && partialBlocks === "keep") return next(ctx, args);
    if (args.recorded) {
      return queryWithRecord(ctx, args, args.recorded, device.hashStrategy, device.hashCost);
    }
    return queryHashesBy(ctx, args, device.hashStrategy, device.hashCost);
  };
}
