/**
 * The default queryHashes and verify stages: ask the device for block digests and compare
 * them with digests of the bytes that will really be in flash.
 *
 * @module
 */
import type { RunContext } from "./context.ts";
import { DeltaflashError, VerifyError } from "./errors.ts";
import { digestsEqual } from "./hash.ts";
import type { AddressRange, BlockRef, FlashImage } from "./image.ts";
import type {
  BlockComparison,
  HashReport,
  Plan,
  QueryHashesArgs,
  VerifyArgs,
  VerifyReport,
} from "./stages.ts";
import { type FlashLayout, regionAt, type WriteRun } from "./device.ts";
import { checkPieces } from "./plan.ts";

/** The block at `address` is partly covered and the device cannot be read to keep the rest. */
function partialBlockError(address: number): DeltaflashError {
  return new DeltaflashError(
    "E_PARTIAL",
    `block 0x${
      address.toString(16)
    } is only partly covered by the image and this device cannot be read back to keep the rest`,
    { hint: "pass --partial fill to fill the rest of the block with erased bytes" },
  );
}

/** Blocks of each layout region the image touches, in address order. */
export function touchedBlocks(image: FlashImage, layout: FlashLayout): BlockRef[] {
  return layout.regions.flatMap((r) =>
    image.blocks(r.blockSize, r.start, { start: r.start, end: r.start + r.size })
  );
}

/**
 * The kernel's queryHashes stage: one digest per touched block; in `full` mode no digests
 * (every block is written, so asking the device would be wasted time).
 */
export async function defaultQueryHashes(
  ctx: RunContext,
  args: QueryHashesArgs,
): Promise<HashReport> {
  if (args.mode === "full") return await fullModeReport(ctx, args);
  const { device, image, algorithm, partialBlocks } = args;
  const blocks = touchedBlocks(image, device.layout);
  const ranges: AddressRange[] = blocks.map((b) => ({ start: b.address, end: b.address + b.size }));
  // With the blocks, the pieces of partly covered blocks the image leaves out, so a changed
  // one needs only its non-erased pieces read back.
  const pieces = partialBlocks === "keep" ? uncoveredPieces(image, blocks, device.hashPiece) : [];
  const all = [...ranges, ...pieces.flat()];
  const digests = all.length ? await device.hash(ctx, algorithm.name, all) : [];
  let requests = all.length ? 1 : 0;
  const out: BlockComparison[] = [];
  let at = ranges.length;
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i];
    const erased = regionAt(device.layout, b.address)?.erasedValue ?? 0xff;
    let same = digestsEqual(algorithm.digest(image.read(b.address, b.size, erased)), digests[i]);
    let content: Uint8Array | undefined;
    const mine = pieces[i] ?? [];
    const pieceDigests = digests.slice(at, at + mine.length);
    at += mine.length;
    if (!same && b.covered < b.size && partialBlocks === "keep") {
      if (!device.read) throw partialBlockError(b.address);
      const read = device.read.bind(device);
      let current: Uint8Array;
      if (mine.length) {
        current = new Uint8Array(b.size).fill(erased);
        const dirty = mine.filter((p, j) =>
          !digestsEqual(
            algorithm.digest(new Uint8Array(p.end - p.start).fill(erased)),
            pieceDigests[j],
          )
        );
        for (const span of mergeAdjacent(dirty)) {
          current.set(await read(ctx, span.start, span.end - span.start), span.start - b.address);
          requests++;
        }
      } else {
        current = await read(ctx, b.address, b.size);
        requests++;
      }
      content = image.read(b.address, b.size, current);
      same = digestsEqual(algorithm.digest(content), digests[i]);
    }
    out.push({ address: b.address, size: b.size, covered: b.covered, same, content });
    ctx.emit({ type: "block", address: b.address, size: b.size, state: same ? "same" : "changed" });
  }
  return { algorithm: algorithm.name, blocks: out, requests };
}

/** Ranges joined where one ends at the next one's start. */
function mergeAdjacent(ranges: readonly AddressRange[]): AddressRange[] {
  const out: { start: number; end: number }[] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last && last.end === r.start) last.end = r.end;
    else out.push({ start: r.start, end: r.end });
  }
  return out;
}

/** Per block, the `piece`-sized parts the image does not fully cover (none without `piece`). */
function uncoveredPieces(
  image: FlashImage,
  blocks: readonly BlockRef[],
  piece: number | undefined,
): AddressRange[][] {
  if (!piece) return [];
  return blocks.map((b) => {
    if (b.covered >= b.size || b.size % piece) return [];
    const out: AddressRange[] = [];
    for (let a = b.address; a < b.address + b.size; a += piece) {
      if (image.coveredBytes(a, a + piece) < piece) out.push({ start: a, end: a + piece });
    }
    return out;
  });
}

/**
 * Comparison for `full` mode: every touched block is written and the device is not asked for
 * hashes; partly covered blocks under `keep` are read so their other bytes survive.
 */
export async function fullModeReport(
  ctx: RunContext,
  args: QueryHashesArgs,
): Promise<HashReport> {
  const { device, image, partialBlocks } = args;
  const out: BlockComparison[] = [];
  let requests = 0;
  for (const b of touchedBlocks(image, device.layout)) {
    let content: Uint8Array | undefined;
    if (b.covered < b.size && partialBlocks === "keep") {
      if (!device.read) {
        throw partialBlockError(b.address);
      }
      content = image.read(b.address, b.size, await device.read(ctx, b.address, b.size));
      requests++;
    }
    out.push({ address: b.address, size: b.size, covered: b.covered, same: false, content });
    ctx.emit({ type: "block", address: b.address, size: b.size, state: "changed" });
  }
  return { algorithm: "none", blocks: out, requests };
}

/** A written range and the bytes it must hold. */
interface Piece {
  readonly start: number;
  readonly end: number;
  readonly data: Uint8Array;
}

/**
 * The kernel's verify stage: re-hash what was written, whole runs where the device allows,
 * and the blocks skipped on the flash record's word. Digests the write stage took along the
 * way are used as they are. A run whose digest differs is hashed again block by block (one
 * more batch), so the error names, and the sector map marks, exactly the bad blocks; a rerun
 * rewrites only those. Record-skipped blocks that differ are returned as `stale`.
 */
export async function defaultVerify(ctx: RunContext, args: VerifyArgs): Promise<VerifyReport> {
  const { device, plan, algorithm, written } = args;
  const writtenBlocks = plan.blocks.filter((b) => b.action === "write");
  const recorded = plan.unconfirmed.flatMap((r) => blocksIn(r, plan));
  const toPieces = (runs: readonly WriteRun[]): Piece[] =>
    runs.map((r) => ({ start: r.address, end: r.address + r.data.length, data: r.data }));
  /** The planned blocks inside a piece, each with its bytes. */
  const blocksOf = (p: Piece): Piece[] =>
    plan.blocks.filter((b) => b.address >= p.start && b.address < p.end).map((b) => {
      const off = b.address - p.start;
      return {
        start: b.address,
        end: b.address + b.size,
        data: p.data.subarray(off, off + b.size),
      };
    });
  const whole = device.hashGranularity === "any";
  const runs = toPieces(checkPieces(plan.runs)), unconfirmed = toPieces(plan.unconfirmed);
  const pieces = whole
    ? [...runs, ...unconfirmed]
    : [...runs.flatMap(blocksOf), ...unconfirmed.flatMap(blocksOf)];
  if (!pieces.length) return { blocks: 0, requests: 0 };
  const known = new Map<string, Uint8Array>();
  for (const h of written?.hashed ?? []) known.set(`${h.range.start}:${h.range.end}`, h.digest);
  let requests = 0;
  const check = async (ps: readonly Piece[]) => {
    const ask = ps.filter((p) => !known.has(`${p.start}:${p.end}`));
    if (ask.length) {
      const digests = await device.hash(ctx, algorithm.name, ask);
      requests++;
      ask.forEach((p, i) => known.set(`${p.start}:${p.end}`, digests[i]));
    }
    return ps.map((p) => digestsEqual(algorithm.digest(p.data), known.get(`${p.start}:${p.end}`)));
  };
  const ok = await check(pieces);
  const good = pieces.filter((_, i) => ok[i]);
  let bad = pieces.filter((_, i) => !ok[i]);
  // A range of several blocks failed: find which of its blocks hold the wrong bytes.
  const several = bad.filter((p) => blocksOf(p).length > 1);
  if (several.length) {
    const parts = several.flatMap(blocksOf);
    const partOk = await check(parts);
    bad = [...bad.filter((p) => !several.includes(p)), ...parts.filter((_, i) => !partOk[i])];
    good.push(...parts.filter((_, i) => partOk[i]));
  }
  const isWritten = (p: Piece) =>
    writtenBlocks.some((b) => b.address === p.start) ||
    runs.some((r) => r.start === p.start && r.end === p.end);
  const emit = (ps: readonly Piece[], state: "verified" | "failed") => {
    for (const p of ps) {
      for (const b of writtenBlocks) {
        if (b.address >= p.start && b.address < p.end) {
          ctx.emit({ type: "block", address: b.address, size: b.size, state });
        }
      }
    }
  };
  emit(good, "verified");
  const badWritten = bad.filter(isWritten);
  emit(badWritten, "failed");
  if (badWritten.length) {
    throw new VerifyError(badWritten.map((p) => p.start).sort((a, b) => a - b));
  }
  const stale = bad.filter((p) => !isWritten(p)).map((p) => p.start).sort((a, b) => a - b);
  return {
    blocks: plan.totals.write + recorded.length,
    requests,
    ...(stale.length ? { stale } : {}),
  };
}

/** The planned blocks a run covers. */
function blocksIn(run: WriteRun, plan: Plan) {
  const end = run.address + run.data.length;
  return plan.blocks.filter((b) => b.address >= run.address && b.address < end);
}
