/**
 * The target contract: what a target plugin describes (memory map, costs, defaults) and the
 * device session it opens.
 *
 * @module
 */
import type { RunContext } from "./context.ts";
import type { AddressRange, PartialBlockPolicy } from "./image.ts";
import type { StageOverrides } from "./stages.ts";
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
  /** Digest of each range, computed on the device. */
  hash(ctx: RunContext, algorithm: string, ranges: readonly AddressRange[]): Promise<Uint8Array[]>;
  /** Reads flash (needed for the `keep` partial-block policy); optional. */
  read?(ctx: RunContext, address: number, length: number): Promise<Uint8Array>;
  /** Erases and programs each run; runs are block-aligned and whole blocks. */
  program(ctx: RunContext, runs: readonly WriteRun[]): Promise<void>;
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

/** Options the CLI or an API caller passes to {@link TargetDefinition.connect}. */
export interface ConnectOptions {
  /** Serial port address (path, `sim:…`, `rfc2217://…`, `socket://…`). */
  port?: string;
  /** Probe address (`sim:…`, `hid:…`, `gdb://…`). */
  probe?: string;
  /** Baud rate for serial targets. */
  baud?: number;
  /** Target-specific options from config. */
  options?: Readonly<Record<string, unknown>>;
}

/**
 * Tells which target the device behind an address is (an ESP chip id on a serial port, a
 * CMSIS-DAP probe's board id), so a run needs no `--target`.
 */
export interface TargetDetector {
  /** Name for messages (`esp-serial`). */
  readonly name: string;
  /** The kind of address it reads: a serial port or a debug probe. */
  readonly link: "serial" | "probe";
  /**
   * The registered target name for the device at `address`, or undefined when it is not a
   * device this detector knows. Leaves the link closed.
   */
  detect(ctx: RunContext, address: string, options: ConnectOptions): Promise<string | undefined>;
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
}

/** What a target plugin registers. */
export interface TargetDefinition {
  /** Unique name used with `--target`, e.g. `esp32c3`. */
  readonly name: string;
  /** Other accepted names. */
  readonly aliases?: readonly string[];
  /** Family name, e.g. `esp` or `nrf`. */
  readonly family: string;
  /** One-line description. */
  readonly description: string;
  /** How the device is reached. */
  readonly link: "serial" | "probe";
  /** Default memory map (before detection). */
  readonly layout: FlashLayout;
  /** Default hash algorithm name for comparisons. */
  readonly hash: string;
  /** Default partial-block policy (kernel default: `keep`). */
  readonly partialBlocks?: PartialBlockPolicy;
  /** Image format options (e.g. Universal Hex board ids this target accepts). */
  readonly formatOptions?: Readonly<Record<string, unknown>>;
  /** Cost model for plan estimates. */
  readonly cost?: CostModel;
  /** Opens a session with a device. */
  connect(ctx: RunContext, options: ConnectOptions): Promise<FlashDevice>;
  /** Stage implementations this target supplies instead of the kernel's defaults. */
  readonly stages?: StageOverrides;
}

/** The region containing `address`, if any. */
export function regionAt(layout: FlashLayout, address: number): FlashRegion | undefined {
  return layout.regions.find((r) => address >= r.start && address < r.start + r.size);
}
