/**
 * The flash record: what the last verified run left in each block of one device, kept on the
 * host under the device's identity. It lets a run predict which blocks differ without asking
 * the device first, as esptool `--diff-with OLD` does with a file the user keeps, except that
 * the record keeps itself and is never trusted: every block it says is unchanged is hashed on
 * the device before the run ends, and a run whose record was wrong compares and writes again.
 *
 * @module
 */
import { type HashAlgorithm, toHex } from "./hash.ts";
import type { BlockRef, FlashImage } from "./image.ts";
import { type FlashLayout, regionAt } from "./device.ts";
import { touchedBlocks } from "./compare.ts";

/** Digests of the blocks one device held after a verified run. */
export interface FlashRecord {
  /** Hash algorithm of the digests. */
  readonly algorithm: string;
  /** `address:size` (hex address, decimal size) → hex digest of the block's bytes. */
  readonly blocks: Readonly<Record<string, string>>;
}

/** Where flash records live between runs, keyed by {@link FlashDevice.identity}. */
export interface FlashRecordStore {
  /** The record for a device, or undefined when there is none (or it cannot be read). */
  load(identity: string): Promise<FlashRecord | undefined>;
  /** Replaces the record for a device. */
  save(identity: string, record: FlashRecord): Promise<void>;
}

/** A record store in memory, for tests, benchmarks and embedding. */
export class MemoryRecordStore implements FlashRecordStore {
  readonly #records = new Map<string, FlashRecord>();

  /** The record kept for `identity`. */
  load(identity: string): Promise<FlashRecord | undefined> {
    return Promise.resolve(this.#records.get(identity));
  }

  /** Keeps `record` for `identity`. */
  save(identity: string, record: FlashRecord): Promise<void> {
    this.#records.set(identity, record);
    return Promise.resolve();
  }
}

function key(b: { address: number; size: number }): string {
  return `${b.address.toString(16)}:${b.size}`;
}

/** The final bytes of each block (bytes the image leaves out: erased). */
function blockBytes(image: FlashImage, b: BlockRef, erased: number): Uint8Array {
  return image.read(b.address, b.size, erased);
}

/**
 * What a record says of each touched block it knows: true when the block held the bytes the
 * image wants, false when it held others. Blocks the image covers only in part are left out
 * unless `fill` (their other bytes become erased, so the record fully knows them).
 */
export function predictFromRecord(
  record: FlashRecord | undefined,
  image: FlashImage,
  blocks: readonly BlockRef[],
  algorithm: HashAlgorithm,
  erased: (address: number) => number,
  fill: boolean,
): Map<number, boolean> | undefined {
  if (!record || record.algorithm !== algorithm.name) return undefined;
  const out = new Map<number, boolean>();
  for (const b of blocks) {
    if (b.covered < b.size && !fill) continue;
    const known = record.blocks[key(b)];
    if (known === undefined) continue;
    out.set(b.address, known === toHex(algorithm.digest(blockBytes(image, b, erased(b.address)))));
  }
  return out;
}

/**
 * The record after a verified run: the touched blocks now hold the image (blocks partly
 * covered only under `fill`); a partly covered block kept from the device is forgotten, and
 * so is any other recorded block the touched ones overlap.
 */
export function recordAfter(
  before: FlashRecord | undefined,
  image: FlashImage,
  blocks: readonly BlockRef[],
  algorithm: HashAlgorithm,
  erased: (address: number) => number,
  fill: boolean,
): FlashRecord {
  const kept: Record<string, string> = {};
  if (before?.algorithm === algorithm.name) {
    for (const [k, digest] of Object.entries(before.blocks)) {
      const [a, n] = k.split(":");
      const start = parseInt(a, 16), end = start + Number(n);
      if (!blocks.some((b) => b.address < end && start < b.address + b.size)) kept[k] = digest;
    }
  }
  for (const b of blocks) {
    if (b.covered < b.size && !fill) continue;
    kept[key(b)] = toHex(algorithm.digest(blockBytes(image, b, erased(b.address))));
  }
  return { algorithm: algorithm.name, blocks: kept };
}

/**
 * The record a verified run of `image` leaves on a device with `layout` (partly covered blocks
 * filled with the erased value): for tests, benchmarks and seeding a store.
 */
export function recordOf(
  image: FlashImage,
  layout: FlashLayout,
  algorithm: HashAlgorithm,
): FlashRecord {
  const erased = (a: number) => regionAt(layout, a)?.erasedValue ?? 0xff;
  return recordAfter(undefined, image, touchedBlocks(image, layout), algorithm, erased, true);
}

/** True when `value` has the shape of a {@link FlashRecord} (records are read from files). */
export function isFlashRecord(value: unknown): value is FlashRecord {
  if (typeof value !== "object" || value === null) return false;
  const r = value as Record<string, unknown>;
  if (typeof r.algorithm !== "string") return false;
  const blocks = r.blocks;
  if (typeof blocks !== "object" || blocks === null || Array.isArray(blocks)) return false;
  return Object.entries(blocks).every(([k, v]) =>
    /^[0-9a-f]+:[0-9]+$/.test(k) && typeof v === "string" && /^[0-9a-f]+$/.test(v)
  );
}
