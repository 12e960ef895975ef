/**
 * The device contract: a device's memory map, what it reports about itself, and the open
 * session with it that every stage works through.
 *
 * @module
 */
import type { RunContext } from "./context.ts";
import type { AddressRange } from "./image.ts";
import type { SerialPortLike } from "./transport.ts";

/** One flash region with a uniform erase block size. */
export interface FlashRegion {
  /** Name, e.g. `flash` or `uicr`. */
  readonly name: string;
  /** First address. */
  readonly start: number;
  /** Size in bytes. */
  readonly size: number;
  /** Erase unit (sector or page) in bytes; the unit of hashing and planning. */
  readonly blockSize: number;
  /** Value of an erased byte (0xFF for NOR flash). */
  readonly erasedValue?: number;
}

/** A device's memory map. */
export interface FlashLayout {
  /** Flash regions, sorted by address and not overlapping. */
  readonly regions: readonly FlashRegion[];
}

/** What a connected device reports about itself. */
export interface DeviceInfo {
  /** Chip or board name, e.g. `ESP32-C3` or `micro:bit V2 (nRF52833)`. */
  readonly chip: string;
  /** Further facts (revision, MAC, flash id, board id, …) as label → value. */
  readonly details?: Readonly<Record<string, string>>;
}

/** A block-aligned run of final flash contents to erase and program. */
export interface WriteRun {
  /** First address (block-aligned). */
  readonly address: number;
  /** The complete bytes the blocks must hold afterwards (a multiple of the block size). */
  readonly data: Uint8Array;
}

/** Counters a link keeps, for reports and benchmarks. */
export interface LinkStats {
  /** Bytes sent to the device. */
  bytesOut: number;
  /** Bytes received from the device. */
  bytesIn: number;
  /** Request/response exchanges that waited for an answer. */
  roundTrips: number;
}

/**
 * An open session with one device. Created by {@link TargetDefinition.connect}; every method
 * may throw a DeviceError/TimeoutError; none may report success for bytes not written.
 */
export interface FlashDevice {
  /** Identity of the connected chip. */
  readonly info: DeviceInfo;
  /**
   * Identity with facts that cost device requests to learn (revision, MAC, security state);
   * the `info` command calls it when present. Optional.
   */
  describe?(ctx: RunContext): Promise<DeviceInfo>;
  /** The memory map actually detected (flash size may differ from the target's default). */
  readonly layout: FlashLayout;
  /** Device-side hash algorithms (registry names), best first. */
  readonly hashAlgorithms: readonly string[];
  /**
   * `"any"`: {@link FlashDevice.hash} accepts arbitrary ranges; `"block"`: ranges must be
   * whole blocks of the region they are in.
   */
  readonly hashGranularity: "any" | "block";
  /**
   * When set, {@link FlashDevice.hash} also takes aligned pieces of this many bytes inside a
   * block: the kernel hashes the parts of partly covered blocks that the image leaves out
   * with the blocks, and reads back only the pieces that are not erased.
   */
  readonly hashPiece?: number;
  /** Digest of each range, computed on the device. */
  hash(ctx: RunContext, algorithm: string, ranges: readonly AddressRange[]): Promise<Uint8Array[]>;
  /** Reads flash (needed for the `keep` partial-block policy); optional. */
  read?(ctx: RunContext, address: number, length: number): Promise<Uint8Array>;
  /**
   * A stable name for this very chip (e.g. its MAC), under which a flash record is kept
   * between runs; undefined when it has none. Optional.
   */
  identify?(ctx: RunContext): Promise<string | undefined>;
  /**
   * Erases and programs each run; runs are block-aligned and whole blocks. A device that can
   * hash while the line is busy with data may also hash `options.checks` along the way and
   * return those digests; hashing anything it returns must not have slowed the write.
   */
  program(
    ctx: RunContext,
    runs: readonly WriteRun[],
    options?: ProgramOptions,
  ): Promise<ProgramResult | void>;
  /** Restarts the chip into its application; optional. */
  reset?(ctx: RunContext): Promise<void>;
  /** Erases ranges (block-aligned) to the erased value; optional. */
  erase?(ctx: RunContext, ranges: readonly AddressRange[]): Promise<void>;
  /**
   * Restarts the chip into its application and hands over its serial console (the session
   * is over afterwards); optional.
   */
  monitor?(ctx: RunContext): Promise<SerialPortLike>;
  /** Link counters so far. */
  stats?(): LinkStats;
  /** Ends the session and releases the link. */
  close(): Promise<void>;
}

/** Extra work {@link FlashDevice.program} may do while it writes. */
export interface ProgramOptions {
  /** Algorithm for `checks`. */
  readonly algorithm: string;
  /** Ranges to hash once the runs before them are written, where that costs no time. */
  readonly checks: readonly AddressRange[];
}

/** What {@link FlashDevice.program} hashed along the way. */
export interface ProgramResult {
  /** Digests of those `checks` it hashed, each after every run before it was written. */
  readonly hashed: readonly HashedRange[];
}

/** A range and its device digest. */
export interface HashedRange {
  /** The range. */
  readonly range: AddressRange;
  /** Its digest, computed on the device. */
  readonly digest: Uint8Array;
}

/** Modelled cost of operations on a target, in milliseconds; used to estimate plans. */
export interface CostModel {
  /** Transfer of `bytes` of payload to the device. */
  transferMs(bytes: number): number;
  /** Erasing `blocks` blocks of `blockSize`. */
  eraseMs(blocks: number, blockSize: number): number;
  /** Programming `bytes`. */
  programMs(bytes: number): number;
  /** Device-side hashing of `bytes`. */
  hashMs(bytes: number): number;
  /** One request/response turnaround. */
  roundTripMs: number;
  /**
   * The whole write stage for `runs` runs totalling `blocks` blocks of `blockSize` bytes,
   * where transfer, erase and program overlap; when absent the estimate adds up the parts.
   */
  writeMs?(blocks: number, blockSize: number, runs: number): number;
  /** The verify stage after writing `blocks` blocks in `runs` runs; absent: one re-hash. */
  verifyMs?(blocks: number, blockSize: number, runs: number): number;
  /** Connecting, for estimates made without a device (absent: 0). */
  connectMs?: number;
}

/** The region containing `address`, if any. */
export function regionAt(layout: FlashLayout, address: number): FlashRegion | undefined {
  return layout.regions.find((r) => address >= r.start && address < r.start + r.size);
}
