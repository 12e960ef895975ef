/**
 * The loader's view of the chip it runs on, and the per-connection loader state.
 *
 * @module
 */
import type { Clock } from "../../kernel/mod.ts";
import type { EspChip } from "./chips.ts";
import type { NorFlash } from "./flash.ts";
import type { BlockInflater } from "./inflate.ts";
import type { RegisterFile } from "./registers.ts";

/** What the loader can do to the simulated chip. */
export interface LoaderHost {
  /** The chip. */
  readonly chip: EspChip;
  /** Its flash. */
  readonly flash: NorFlash;
  /** Its registers. */
  readonly regs: RegisterFile;
  /** Clock of the current connection. */
  readonly clock: Clock;
  /** Current UART rate. */
  baud(): number;
  /** Switches the UART rate (after a CHANGE_BAUDRATE reply). */
  setBaud(baud: number): void;
  /** Sends one raw SLIP frame (READ_FLASH data, its MD5, "OHAI"). */
  sendFrame(payload: Uint8Array): void;
  /** Leaves the loader: reboot (`runApp=false`) or jump to the app in flash. */
  leave(runApp: boolean): void;
  /** Jumps to code uploaded to RAM at `entry`. */
  jump(entry: number): void;
}

/** An open FLASH_BEGIN / FLASH_DEFL_BEGIN session. */
export interface WriteSession {
  /** Compressed (FLASH_DEFL_*) or raw. */
  readonly deflate: boolean;
  /** Flash address of the first byte. */
  readonly offset: number;
  /** Bytes the session may write (ROM: the erase size; stub: the exact total). */
  readonly total: number;
  /** Declared block size. */
  readonly blockSize: number;
  /** Declared number of blocks. */
  readonly numBlocks: number;
  /** Sequence number expected next. */
  nextSeq: number;
  /** Bytes written so far (stub and deflate: the write pointer). */
  written: number;
  /** Stub, compressed: inflated bytes not yet written (its 32 KiB deflate output buffer). */
  held?: Uint8Array;
  /** Inflater for compressed sessions. */
  inflater?: BlockInflater;
  /** Sectors the stub has already erased in this session. */
  readonly erased: Set<number>;
}

/** An open MEM_BEGIN session. */
export interface MemSession {
  /** RAM address of the first byte. */
  readonly offset: number;
  /** Declared size. */
  readonly size: number;
  /** Declared block size. */
  readonly blockSize: number;
  /** Sequence number expected next. */
  nextSeq: number;
  /** Bytes received. */
  received: number;
}

/** A READ_FLASH transfer in progress (stub). */
export interface ReadSession {
  /** Flash address. */
  readonly offset: number;
  /** Total bytes. */
  readonly length: number;
  /** Bytes per data frame. */
  readonly packetSize: number;
  /** Unacknowledged bytes allowed in flight. */
  readonly maxInFlight: number;
  /** Bytes sent. */
  sent: number;
  /** Bytes the host has acknowledged. */
  acked: number;
}

/** Mutable loader state (reset on every chip reset). */
export interface LoaderState {
  /** Talking to the flasher stub rather than the ROM. */
  stub: boolean;
  /** SPI_ATTACH received (the ROM needs it before flash access). */
  attached: boolean;
  /** Flash size the loader believes (ROM: 2 MB until SPI_SET_PARAMS). */
  flashLimit: number;
  /** Open write session. */
  write?: WriteSession;
  /** Open RAM session. */
  mem?: MemSession;
  /** READ_FLASH in progress. */
  read?: ReadSession;
  /** RAM ranges uploaded since reset: [start, end). */
  readonly ram: [number, number][];
  /** Secure Download Mode: the ROM accepts only a handful of commands. */
  readonly sdm: boolean;
}

/** Flash size the ROM assumes until SPI_SET_PARAMS (esp-serial-flasher #3, #23). */
export const ROM_DEFAULT_FLASH_LIMIT = 2 * 1024 * 1024;

/** Fresh ROM loader state. */
export function romState(sdm = false): LoaderState {
  return { stub: false, attached: false, flashLimit: ROM_DEFAULT_FLASH_LIMIT, ram: [], sdm };
}
