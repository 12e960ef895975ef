/**
 * The default planner: block comparisons → contiguous runs to erase and write, plus an
 * estimate from the target's cost model.
 *
 * @module
 */
import type { FlashImage } from "./image.ts";
import type {
  BlockComparison,
  FlashMode,
  Plan,
  PlanArgs,
  PlanEstimate,
  PlannedBlock,
} from "./stages.ts";
import { type CostModel, type FlashLayout, regionAt, type WriteRun } from "./device.ts";

/** Builds a plan from block comparisons. Pure: touches no device. */
export function planBlocks(args: Omit<PlanArgs, "device">): Plan {
  const { image, report, layout, mode, cost, elapsedMs, verify } = args;
  const blocks: PlannedBlock[] = report.blocks.map((b) => ({
    address: b.address,
    size: b.size,
    action: mode === "full" || !b.same ? "write" : "skip",
    reason: mode === "full" ? "full" : b.same ? "same" : b.assumed ? "assumed" : "changed",
  }));
  const runs = buildRuns(image, layout, report.blocks, blocks);
  const write = blocks.filter((b) => b.action === "write");
  const bytes = write.reduce((n, b) => n + b.size, 0);
  const unconfirmed = mergeRuns(
    image,
    layout,
    report.blocks.filter((b, i) => b.unconfirmed && blocks[i].action === "skip"),
  );
  const plan: Plan = {
    mode,
    blocks,
    runs,
    unconfirmed,
    totals: {
      blocks: blocks.length,
      write: write.length,
      skip: blocks.length - write.length,
      bytes,
      assumed: blocks.filter((b) => b.reason === "assumed").length,
    },
  };
  if (!cost) return plan;
  return {
    ...plan,
    estimate: estimate(
      cost,
      report.blocks,
      write,
      runs.length,
      elapsedMs,
      verify ?? true,
      unconfirmed.reduce((n, r) => n + r.data.length, 0),
    ),
  };
}

/**
 * Unconfirmed blocks are merged into ranges no larger than this (aligned): small enough that a
 * device can hash one in a gap of its write, large enough that verify sends few requests.
 */
export const CHECK_PIECE = 0x10000;

/** Runs cut at {@link CHECK_PIECE} boundaries: the ranges verify hashes. */
export function checkPieces(runs: readonly WriteRun[]): WriteRun[] {
  const out: WriteRun[] = [];
  for (const r of runs) {
    const end = r.address + r.data.length;
    for (let a = r.address; a < end;) {
      const next = Math.min(end, (Math.floor(a / CHECK_PIECE) + 1) * CHECK_PIECE);
      out.push({ address: a, data: r.data.subarray(a - r.address, next - r.address) });
      a = next;
    }
  }
  return out;
}

/** Address-contiguous blocks merged into runs (within a {@link CHECK_PIECE}) of their bytes. */
function mergeRuns(
  image: FlashImage,
  layout: FlashLayout,
  blocks: readonly { address: number; size: number }[],
): WriteRun[] {
  const spans: { address: number; end: number }[] = [];
  for (const b of blocks) {
    const last = spans[spans.length - 1];
    const sameSlot = last && Math.floor(last.address / CHECK_PIECE) ===
        Math.floor(b.address / CHECK_PIECE);
    if (last && last.end === b.address && sameSlot) last.end = b.address + b.size;
    else spans.push({ address: b.address, end: b.address + b.size });
  }
  return spans.map((r) => ({
    address: r.address,
    data: image.read(
      r.address,
      r.end - r.address,
      regionAt(layout, r.address)?.erasedValue ?? 0xff,
    ),
  }));
}

function buildRuns(
  image: FlashImage,
  layout: FlashLayout,
  comparisons: readonly BlockComparison[],
  blocks: readonly PlannedBlock[],
): WriteRun[] {
  const runs: WriteRun[] = [];
  let parts: Uint8Array[] = [];
  let start = -1, end = -1;
  const flush = () => {
    if (parts.length) {
      const data = new Uint8Array(end - start);
      let o = 0;
      for (const p of parts) {
        data.set(p, o);
        o += p.length;
      }
      runs.push({ address: start, data });
    }
    parts = [];
    start = end = -1;
  };
  blocks.forEach((b, i) => {
    if (b.action !== "write") return flush();
    if (b.address !== end) flush();
    if (start < 0) start = b.address;
    const erased = regionAt(layout, b.address)?.erasedValue ?? 0xff;
    parts.push(comparisons[i].content ?? image.read(b.address, b.size, erased));
    end = b.address + b.size;
  });
  flush();
  return runs;
}

/**
 * Time so far (or, without it, the modelled connect and one hash pass) plus the modelled
 * write and verify of the plan.
 */
function estimate(
  cost: CostModel,
  all: readonly BlockComparison[],
  write: readonly PlannedBlock[],
  runs: number,
  elapsedMs: number | undefined,
  verify: boolean,
  unconfirmedBytes: number,
): PlanEstimate {
  const hashed = all.reduce((n, b) => n + b.size, 0);
  const bytes = write.reduce((n, b) => n + b.size, 0);
  const blockSize = write[0]?.size ?? all[0]?.size ?? 4096;
  const before: Record<string, number> = elapsedMs !== undefined
    ? { "connect+hash": elapsedMs }
    : { connect: cost.connectMs ?? 0, hash: cost.hashMs(hashed) + cost.roundTripMs };
  const writing: Record<string, number> = !write.length
    ? {}
    : cost.writeMs
    ? { write: cost.writeMs(write.length, blockSize, runs) }
    : {
      transfer: cost.transferMs(bytes),
      erase: cost.eraseMs(write.length, blockSize),
      program: cost.programMs(bytes),
      turnarounds: runs * cost.roundTripMs,
    };
  const checking: Record<string, number> = verify && (write.length || unconfirmedBytes)
    ? {
      verify: cost.verifyMs
        ? cost.verifyMs(write.length, blockSize, runs)
        : cost.hashMs(bytes + unconfirmedBytes) + cost.roundTripMs,
    }
    : {};
  const breakdown = { ...before, ...writing, ...checking };
  return { ms: Object.values(breakdown).reduce((a, b) => a + b, 0), breakdown };
}

/** Plan that writes every touched block, for a device whose contents are unknown. */
export function fullReport(image: FlashImage, layout: FlashLayout): BlockComparison[] {
  return layout.regions.flatMap((r) =>
    image.blocks(r.blockSize, r.start, { start: r.start, end: r.start + r.size })
      .map((b) => ({ ...b, same: false }))
  );
}

/** Mode name check for user input. */
export function isFlashMode(s: string): s is FlashMode {
  return s === "diff" || s === "full";
}
