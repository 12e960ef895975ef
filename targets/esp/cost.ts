/**
 * The one ESP cost module: SPI NOR erase and program times, line time at the session's baud
 * rate, the kernel cost model for plan estimates, the figures the hash strategy plans with,
 * and the pipelined-MD5 batch model with the first-look and localisation plans it implies.
 *
 * @module
 */
import type { CostModel } from "../../kernel/mod.ts";
import { type EspChip, SECTOR } from "./chips.ts";

/** The ROM loader's line rate after reset. */
export const ROM_BAUD = 115200;

/** SPI NOR timings, W25Q32-class datasheet typicals (reference notes §6), in ms. */
export const FLASH_TIMING = { sectorEraseMs: 45, blockEraseMs: 150, pageProgramMs: 0.7 } as const;

/** Page-programming time of `bytes` (256-byte pages). */
export function programMs(bytes: number): number {
  return bytes / 256 * FLASH_TIMING.pageProgramMs;
}

/** Erase and program time of one run of `bytes` starting on a 64 KiB boundary. */
export function flashWorkMs(bytes: number): number {
  const sectors = Math.ceil(bytes / SECTOR);
  const t = FLASH_TIMING;
  return Math.floor(sectors / 16) * t.blockEraseMs + (sectors % 16) * t.sectorEraseMs +
    programMs(bytes);
}

/** Line time of `bytes` at `baud` (8N1: ten bits a byte), ms. */
export function lineMs(bytes: number, baud: number): number {
  return bytes * 10 * 1000 / baud;
}

/**
 * Cost model for a ROM session at `baud` (link) with W25Q-class flash (device); `bridgeMs` is
 * the USB-serial bridge's latency each way (one USB full-speed frame unless told).
 */
export function espCostModel(chip: EspChip, baud = ROM_BAUD, bridgeMs = 1): CostModel {
  const byteMs = 10 * 1000 / baud;
  return {
    // Deflate typically leaves ~60 % of an app image (reference notes §6).
    transferMs: (bytes) => bytes * 0.6 * byteMs * 1.01,
    eraseMs: (blocks, blockSize) => flashWorkMs(blocks * blockSize) - programMs(blocks * blockSize),
    programMs,
    hashMs: (bytes) => bytes / chip.md5BytesPerMs,
    // One small exchange: the bridge latency there and back plus ~70 bytes of wire.
    roundTripMs: 2 * bridgeMs + 70 * byteMs,
  };
}

/** Link and device figures the hash strategy plans with (all in ms). */
export interface HashCostHint {
  /** Wire time of one MD5 request and its reply (the longer of the two). */
  readonly requestMs: number;
  /** Device MD5 time per byte hashed. */
  readonly msPerByte: number;
  /** Turnaround of one exchange: bridge latency there and back. */
  readonly latencyMs: number;
  /** Wire time of one MD5 request frame; `requestMs` when absent. */
  readonly requestWireMs?: number;
  /** Wire time of one MD5 reply frame; `requestMs` when absent. */
  readonly replyWireMs?: number;
  /** Requests the link keeps outstanding (one executing, the rest in the loader's buffer). */
  readonly inFlight?: number;
  /** Cost of rewriting one sector that did not need it (line, erase, program); optional. */
  readonly sectorWriteMs?: number;
  /** Line time per byte, ms; optional. */
  readonly byteMs?: number;
}

/** Default figures when the device gives none: 115200 baud ROM, 3 KB/ms MD5. */
export const DEFAULT_HASH_COST: HashCostHint = { requestMs: 4, msPerByte: 1 / 3000, latencyMs: 2 };

/**
 * Prior odds the first look plans with: a span has changed at all (half the time: reflashing
 * an unchanged build is as common as flashing an edit), and, when it has, the change is dense
 * (a new toolchain or layout shifts every function behind the first edit).
 */
export const P_CHANGED = 0.5, P_DENSE = 0.2;

/**
 * Modelled time of one pipelined batch of MD5 requests over `bytes[i]` bytes each: requests
 * and replies queue on their wire, the loader hashes one request at a time, and a new request
 * goes out only when a reply frees a place among the `inFlight` outstanding ones (the loader's
 * RX buffer), each direction adding half the turnaround.
 */
export function batchMs(cost: HashCostHint, bytes: readonly number[]): number {
  if (!bytes.length) return 0;
  const up = cost.requestWireMs ?? cost.requestMs, down = cost.replyWireMs ?? cost.requestMs;
  const half = cost.latencyMs / 2, depth = Math.max(1, cost.inFlight ?? 5);
  const arrived: number[] = [];
  let wireOut = 0, device = 0, wireIn = 0;
  for (let i = 0; i < bytes.length; i++) {
    wireOut = Math.max(i < depth ? 0 : arrived[i - depth], wireOut) + up;
    device = Math.max(wireOut + half, device) + bytes[i] * cost.msPerByte;
    wireIn = Math.max(device, wireIn) + down;
    arrived.push(wireIn + half);
  }
  return arrived[arrived.length - 1];
}

/** Sizes of `n` sectors cut into `f` near-equal pieces, as the strategy cuts a node. */
function pieceSizes(n: number, f: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < f; k++) {
    const size = Math.floor((k + 1) * n / f) - Math.floor(k * n / f);
    if (size) out.push(size);
  }
  return out;
}

/** Fan-outs worth trying: small ones, then roughly geometric, then one piece per sector. */
function fanouts(n: number): number[] {
  const out = [2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 48, 64, 96, 128, 192, 256]
    .filter((f) => f < n);
  return [...out, n];
}

/** Planner for one cost hint: localisation costs are memoised per span length and count. */
export class Planner {
  readonly #memo = new Map<number, { c: number; f: number; all: boolean }>();
  constructor(readonly cost: HashCostHint, readonly sector: number) {}

  /** Time of one batch hashing pieces of these sector counts. */
  batch(sectors: readonly number[]): number {
    return batchMs(this.cost, sectors.map((n) => n * this.sector));
  }

  /**
   * Cheapest way to find the changed sector in a differing span of `m` sectors, assuming one
   * (the common edit-build-flash case): cut it in `f`, hash all pieces but the last (its
   * result is implied when the rest match), recurse into the piece that differs. A last
   * piece left out while a sibling differs is hashed with the next level; below single
   * sectors there is none, so `all` says when one more request beats that extra round.
   * `d` such spans are searched side by side, sharing each level's batch.
   */
  localise(m: number, d = 1): { c: number; f: number; all: boolean } {
    if (m <= 1) return { c: 0, f: 1, all: false };
    const key = m * 4096 + d;
    const hit = this.#memo.get(key);
    if (hit) return hit;
    const times = (xs: number[]) => Array.from({ length: d }, () => xs).flat();
    let r = { c: Infinity, f: m, all: false };
    for (const f of fanouts(m)) {
      if (f === m) continue; // per sector: below
      const pieces = pieceSizes(m, f);
      const c = this.batch(times(pieces.slice(0, -1))) + this.localise(Math.max(...pieces), d).c;
      if (c < r.c) r = { c, f, all: false };
    }
    const ones = Array<number>(m).fill(1);
    // Another round for the last sectors unless every span's change was in its last.
    const apart = this.batch(times(ones.slice(1))) +
      (1 - (1 / m) ** d) * this.batch(times([1]));
    const together = this.batch(times(ones));
    if (Math.min(apart, together) < r.c) {
      r = { c: Math.min(apart, together), f: m, all: together < apart };
    }
    this.#memo.set(key, r);
    return r;
  }

  /**
   * Pieces for the first look at a span of `n` sectors: the expected cost of hashing them in
   * one batch plus, when the span changed, finding the change inside the piece that holds it.
   * Where requests are cheap next to hashing, a piece per sector costs what one MD5 of the
   * span does; where they are dear, a few pieces keep an unchanged span at that price.
   */
  firstPieces(n: number): number {
    let best = { c: Infinity, k: 1 };
    for (const k of [1, ...fanouts(n)]) {
      const pieces = pieceSizes(n, k);
      const c = this.batch(pieces) + P_CHANGED * this.localise(Math.max(...pieces)).c;
      if (c < best.c) best = { c, k };
    }
    return best.k;
  }
}
