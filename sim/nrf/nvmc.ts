/**
 * The Non-Volatile Memory Controller at 0x4001E000 and the flash/UICR arrays it guards.
 * Programming only clears bits; writes without CONFIG.WEN, erases without CONFIG.EEN and
 * non-word writes to flash are ignored. An operation makes READY read 0 for its modelled
 * duration; a core access to flash meanwhile stalls until it ends (the CPU is halted
 * while the NVMC works, per the nRF reference manuals).
 *
 * Power loss can be injected during a page erase or a word write: the page is left
 * half-erased (some bytes 0xFF, some with only part of their bits back at 1) and the word
 * partly programmed (only some of the bits to clear are cleared); until power returns the
 * arrays do not change.
 *
 * @module
 */
import type { AccessSize, Region } from "../armv6m/bus.ts";
import { BusStall, type CycleClock } from "../armv6m/cpu.ts";
import { type NrfChip, usToCycles } from "./chips.ts";
import { type PowerCut, PowerSupply } from "../power.ts";

/** NVMC register offsets. */
export const NVMC_REG = {
  READY: 0x400,
  READYNEXT: 0x408,
  CONFIG: 0x504,
  ERASEPAGE: 0x508,
  ERASEALL: 0x50c,
  ERASEPCR0: 0x510,
  ERASEUICR: 0x514,
} as const;

/** NVMC base address. */
export const NVMC_BASE = 0x4001e000;
/** UICR base address. */
export const UICR_BASE = 0x10001000;

/** Counters for tests and reports. */
export interface NvmcStats {
  pageErases: number;
  wordWrites: number;
  eraseAlls: number;
  uicrErases: number;
}

/** An armed power cut against the NVMC's page erases and word writes. */
export type NvmcPowerCut = PowerCut;

/** Flash + UICR contents and the controller state. */
export class Nvmc {
  config = 0;
  busyUntil = 0;
  readonly stats: NvmcStats = { pageErases: 0, wordWrites: 0, eraseAlls: 0, uicrErases: 0 };
  /** Called when the core polls READY while busy (idle-loop acceleration). */
  onBusyPoll: () => void = () => {};
  readonly #view: DataView;
  readonly #uicrView: DataView;
  readonly #power = new PowerSupply();

  constructor(
    readonly chip: NrfChip,
    readonly flash: Uint8Array,
    readonly uicr: Uint8Array,
    readonly time: CycleClock,
  ) {
    this.#view = new DataView(flash.buffer, flash.byteOffset, flash.byteLength);
    this.#uicrView = new DataView(uicr.buffer, uicr.byteOffset, uicr.byteLength);
  }

  /** Arms a power cut during a coming page erase or word write. */
  armPowerCut(cut: NvmcPowerCut): void {
    this.#power.arm(cut);
  }

  /** Power returns: the arrays keep what the cut left; no cut stays armed. */
  powerOn(): void {
    this.#power.powerOn();
  }

  /** False between a power cut and {@link powerOn}. */
  get powered(): boolean {
    return this.#power.powered;
  }

  #cutsNow(what: "erase" | "program", offset: number): PowerCut | undefined {
    return this.#power.cutsNow(what, offset);
  }

  /** True while an erase or write is in progress. */
  get busy(): boolean {
    return this.time.cycles < this.busyUntil;
  }

  /** Latest time a stall may reach (the core's burst end; unbounded for the debugger). */
  stallLimit: () => number = () => Number.POSITIVE_INFINITY;

  /** Waits out a running operation (the core stalls); past the burst end → BusStall. */
  stall(): void {
    if (this.time.cycles >= this.busyUntil) return;
    const limit = this.stallLimit();
    if (this.busyUntil > limit) {
      if (this.time.cycles < limit) this.time.cycles = limit;
      throw new BusStall();
    }
    this.time.cycles = this.busyUntil;
  }

  #start(us: number): void {
    this.busyUntil = this.time.cycles + usToCycles(this.chip, us);
  }

  /** Programs one word of flash (offset) or UICR; only clears bits. */
  program(array: "flash" | "uicr", offset: number, value: number): void {
    if ((this.config & 3) !== 1 || !this.#power.powered) return;
    this.stall();
    const view = array === "flash" ? this.#view : this.#uicrView;
    const cut = this.#cutsNow("program", offset);
    // Cut mid-write: only some of the bits to clear are cleared.
    const reached = cut ? (value | Math.floor(cut.noise() * 0x100000000)) >>> 0 : value;
    view.setUint32(offset, (view.getUint32(offset, true) & reached) >>> 0, true);
    if (cut) return;
    this.stats.wordWrites++;
    this.#start(this.chip.wordWriteUs);
  }

  /** Erases the page holding flash offset `offset`. */
  erasePage(offset: number): void {
    if ((this.config & 3) !== 2 || offset >= this.flash.length || !this.#power.powered) return;
    this.stall();
    const start = offset - (offset % this.chip.pageSize);
    const cut = this.#cutsNow("erase", start);
    if (cut) {
      // Erase drives cells towards 1 unevenly: some are done, some only partly.
      const done = cut.noise();
      for (let i = start; i < start + this.chip.pageSize; i++) {
        const r = cut.noise();
        if (r < done) this.flash[i] = 0xff;
        else if (r < done + (1 - done) / 2) this.flash[i] |= Math.floor(cut.noise() * 256);
      }
      return;
    }
    this.flash.fill(0xff, start, start + this.chip.pageSize);
    this.stats.pageErases++;
    this.#start(this.chip.pageEraseUs);
  }

  /** ERASEALL: code flash and UICR. */
  eraseAll(): void {
    if (!this.#power.powered) return;
    this.stall();
    this.flash.fill(0xff);
    this.uicr.fill(0xff);
    this.stats.eraseAlls++;
    this.#start(this.chip.eraseAllUs);
  }

  /** ERASEUICR. */
  eraseUicr(): void {
    if (!this.#power.powered) return;
    this.stall();
    this.uicr.fill(0xff);
    this.stats.uicrErases++;
    this.#start(this.chip.pageEraseUs);
  }

  /** System reset: CONFIG returns to read-only. */
  reset(): void {
    this.config = 0;
  }
}

/** The NVMC register block as a bus region. */
export class NvmcRegisters implements Region {
  readonly name = "nvmc";
  readonly base = NVMC_BASE;
  readonly size = 0x1000;
  constructor(readonly nvmc: Nvmc) {}

  read(offset: number, size: AccessSize): number {
    if (size !== 4) return 0;
    const n = this.nvmc;
    switch (offset) {
      case NVMC_REG.READY:
      case NVMC_REG.READYNEXT:
        if (offset === NVMC_REG.READYNEXT && n.chip.family !== "nrf52") return 0;
        if (n.busy) {
          n.onBusyPoll();
          return n.busy ? 0 : 1;
        }
        return 1;
      case NVMC_REG.CONFIG:
        return n.config;
      default:
        return 0;
    }
  }

  write(offset: number, size: AccessSize, value: number): void {
    if (size !== 4) return;
    const n = this.nvmc;
    const een = (n.config & 3) === 2;
    switch (offset) {
      case NVMC_REG.CONFIG:
        n.config = value & 3;
        return;
      case NVMC_REG.ERASEPAGE:
      case NVMC_REG.ERASEPCR0:
        if (een) n.erasePage(value >>> 0);
        return;
      case NVMC_REG.ERASEALL:
        if (een && value & 1) n.eraseAll();
        return;
      case NVMC_REG.ERASEUICR:
        if (een && value & 1) n.eraseUicr();
        return;
    }
  }
}

/** Code flash (at 0) or UICR as a bus region routed through the NVMC. */
export class NvmArrayRegion implements Region {
  readonly #view: DataView;
  constructor(
    readonly name: "flash" | "uicr",
    readonly base: number,
    readonly bytes: Uint8Array,
    readonly nvmc: Nvmc,
    readonly waitStates = 0,
  ) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get size(): number {
    return this.bytes.length;
  }
  read(offset: number, size: AccessSize): number {
    this.nvmc.stall();
    this.nvmc.time.cycles += this.waitStates;
    const v = this.#view;
    return size === 4
      ? v.getUint32(offset, true)
      : size === 2
      ? v.getUint16(offset, true)
      : v.getUint8(offset);
  }
  write(offset: number, size: AccessSize, value: number): void {
    if (size === 4) this.nvmc.program(this.name, offset, value >>> 0);
  }
}
