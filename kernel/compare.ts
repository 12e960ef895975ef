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
 * The kernel's verify stage: re-hash what was written and the blocks skipped on the flash
 * record's word, in {@link checkPieces} (whole blocks where the device wants those). Digests
 * the write stage took along the way are used as they are; the pieces left over are asked for
 * in one batch, neighbours merged into one request. A range that differs is hashed again block
 * by block (one more batch), so the error names, and the sector map marks, exactly the bad
 * blocks; a rerun rewrites only those. Record-skipped blocks that differ are returned as
 * `stale`.
 */
export async function defaultVerify(ctx: RunContext, args: VerifyArgs): Promise<VerifyReport> {
  const { device, plan, algorithm, written } = args;
  const writtenBlocks = plan.blocks.filter((b) => b.action === "write");
  const isWritten = (a: number) =>
    writtenBlocks.some((b) => a >= b.address && a < b.address + b.size);
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
  const toPieces = (runs: readonly WriteRun[]): Piece[] =>
    checkPieces(runs).map((r) => ({
      start: r.address,
      end: r.address + r.data.length,
      data: r.data,
    }));
  const all = [...toPieces(plan.runs), ...toPieces(plan.unconfirmed)];
  const pieces = device.hashGranularity === "any" ? all : all.flatMap(blocksOf);
  if (!pieces.length) return { blocks: 0, requests: 0 };
  const known = new Map<string, Uint8Array>();
  const keyOf = (p: { start: number; end: number }) => `${p.start}:${p.end}`;
  // A digest taken while writing covers one piece or several neighbours: where it matches
  // their bytes, each of them holds its own.
  const sorted = [...pieces].sort((a, b) => a.start - b.start);
  for (const h of written?.hashed ?? []) {
    const { start, end } = h.range;
    const covered = sorted.filter((p) => p.start >= start && p.end <= end);
    const whole = covered.length && covered[0].start === start &&
      covered[covered.length - 1].end === end &&
      covered.every((p, i) => i === 0 || covered[i - 1].end === p.start);
    if (!whole) continue;
    if (covered.length === 1) known.set(keyOf(covered[0]), h.digest);
    else if (digestsEqual(algorithm.digest(concat(covered)), h.digest)) {
      for (const p of covered) known.set(keyOf(p), algorithm.digest(p.data));
    }
  }
  let requests = 0;
  /** Whether each piece holds its bytes; unknown ones are asked for, merged when `merge`. */
  const check = async (ps: readonly Piece[], merge: boolean): Promise<boolean[]> => {
    const result = new Map<Piece, boolean>();
    const ask: (Piece & { parts: Piece[] })[] = [];
    for (const p of ps) {
      const d = known.get(keyOf(p));
      if (d) {
        result.set(p, digestsEqual(algorithm.digest(p.data), d));
        continue;
      }
      const last = ask[ask.length - 1];
      // Merged only within written or within unconfirmed bytes, so a failure says which.
      if (merge && last && last.end === p.start && isWritten(last.start) === isWritten(p.start)) {
        const data = new Uint8Array(p.end - last.start);
        data.set(last.data);
        data.set(p.data, last.end - last.start);
        ask[ask.length - 1] = { start: last.start, end: p.end, data, parts: [...last.parts, p] };
      } else ask.push({ ...p, parts: [p] });
    }
    if (ask.length) {
      const digests = await device.hash(ctx, algorithm.name, ask);
      requests++;
      ask.forEach((m, i) => {
        const ok = digestsEqual(algorithm.digest(m.data), digests[i]);
        if (m.parts.length === 1) known.set(keyOf(m), digests[i]);
        // A merged range that differs says nothing of each part: they are asked again alone.
        for (const p of m.parts) result.set(p, ok);
      });
    }
    return ps.map((p) => result.get(p)!);
  };
  const ok = await check(pieces, true);
  const good = pieces.filter((_, i) => ok[i]);
  let bad = pieces.filter((_, i) => !ok[i]);
  if (bad.length) {
    // Find which blocks hold the wrong bytes.
    const parts = bad.flatMap(blocksOf);
    const partOk = await check(parts, false);
    bad = parts.filter((_, i) => !partOk[i]);
    good.push(...parts.filter((_, i) => partOk[i]));
  }
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
  const badWritten = bad.filter((p) => isWritten(p.start));
  emit(badWritten, "failed");
  if (badWritten.length) {
    throw new VerifyError(badWritten.map((p) => p.start).sort((a, b) => a - b));
  }
  const stale = bad.filter((p) => !isWritten(p.start)).map((p) => p.start).sort((a, b) => a - b);
  const recorded = plan.unconfirmed.reduce((n, r) => n + blocksIn(r, plan).length, 0);
  return {
    blocks: plan.totals.write + recorded,
    requests,
    ...(stale.length ? { stale } : {}),
  };
}

/** The bytes of contiguous pieces, end to end. */
function concat(ps: readonly Piece[]): Uint8Array {
  const out = new Uint8Array(ps[ps.length - 1].end - ps[0].start);
  for (const p of ps) out.set(p.data, p.start - ps[0].start);
  return out;
}

/** The planned blocks a run covers. */
function blocksIn(run: WriteRun, plan: Plan) {
  const end = run.address + run.data.length;
  return plan.blocks.filter((b) => b.address >= run.address && b.address < end);
}
