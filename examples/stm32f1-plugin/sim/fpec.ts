/**
 * The STM32F1 flash program/erase controller (FPEC, RM0008 §3.3 and PM0075) and the flash
 * array it guards, as bus regions for the ARMv6-M interpreter.
 *
 * Rules modelled: FLASH_CR is locked after reset until KEYR receives 0x45670123 then
 * 0xCDEF89AB; a wrong key is a bus error and keeps the FPEC locked until the next reset.
 * With PG set, the array takes half-word writes only (other sizes are bus errors); a
 * half-word that is not erased can only be programmed to 0x0000, anything else sets PGERR
 * and writes nothing. PER + AR + STRT erases one page, MER + STRT the whole array. An
 * operation holds BSY for its modelled duration and sets EOP when it ends; SR error and EOP
 * bits clear by writing 1. A core read of the array during an operation stalls until it
 * ends (the bus stalls), and a debugger access gets WAIT instead (see the chip model).
 *
 * @module
 */
import { type AccessSize, BusFault, type CycleClock, type Region } from "../../../sim/mod.ts";
import type { Stm32f1Chip } from "../chips.ts";

/** FPEC base address. */
export const FPEC_BASE = 0x40022000;
/** Register offsets. */
export const FPEC_REG = {
  ACR: 0x00,
  KEYR: 0x04,
  OPTKEYR: 0x08,
  SR: 0x0c,
  CR: 0x10,
  AR: 0x14,
  OBR: 0x1c,
  WRPR: 0x20,
} as const;
/** FLASH_SR bits. */
export const SR = { BSY: 0x01, PGERR: 0x04, WRPRTERR: 0x10, EOP: 0x20 } as const;
/** FLASH_CR bits. */
export const CR = { PG: 0x01, PER: 0x02, MER: 0x04, STRT: 0x40, LOCK: 0x80 } as const;
/** Unlock keys. */
export const KEYS = [0x45670123, 0xcdef89ab] as const;

/** Counters for tests. */
export interface FpecStats {
  pageErases: number;
  massErases: number;
  halfWords: number;
  pgErrors: number;
}

/** The controller state and the flash bytes. */
export class Fpec {
  cr = CR.LOCK as number;
  sr = 0;
  ar = 0;
  busyUntil = 0;
  readonly stats: FpecStats = { pageErases: 0, massErases: 0, halfWords: 0, pgErrors: 0 };
  /** Called when the core reads SR while busy, so a polling loop can skip ahead. */
  onBusyPoll: () => void = () => {};
  #keyStep = 0;
  #lockedUntilReset = false;
  #eopPending = false;
  readonly #view: DataView;

  constructor(readonly chip: Stm32f1Chip, readonly flash: Uint8Array, readonly time: CycleClock) {
    this.#view = new DataView(flash.buffer, flash.byteOffset, flash.byteLength);
  }

  /** True while an erase or program runs. */
  get busy(): boolean {
    return this.time.cycles < this.busyUntil;
  }

  /** The core waits for a running operation (a stalled bus access). */
  stall(): void {
    if (this.busy) this.time.cycles = this.busyUntil;
  }

  #start(us: number): void {
    this.busyUntil = this.time.cycles + Math.round((us * this.chip.clockHz) / 1e6);
    this.#eopPending = true;
  }

  /** FLASH_SR as read now. */
  readSr(): number {
    if (!this.busy && this.#eopPending) {
      this.#eopPending = false;
      this.sr |= SR.EOP;
    }
    return (this.sr | (this.busy ? SR.BSY : 0)) >>> 0;
  }

  /** KEYR write: the unlock sequence. */
  writeKey(value: number): void {
    if (!(this.cr & CR.LOCK)) return;
    if (!this.#lockedUntilReset && value >>> 0 === KEYS[this.#keyStep]) {
      if (++this.#keyStep === 2) {
        this.cr &= ~CR.LOCK;
        this.#keyStep = 0;
      }
      return;
    }
    this.#lockedUntilReset = true;
    throw new BusFault(0x40022004, "wrong FPEC key: locked until reset");
  }

  /** CR write: LOCK can only be set; STRT starts the selected erase. */
  writeCr(value: number): void {
    if (this.cr & CR.LOCK) return;
    const lock = value & CR.LOCK;
    this.cr = (value & (CR.PG | CR.PER | CR.MER)) | lock;
    if (!(value & CR.STRT) || this.busy) return;
    if (value & CR.MER) {
      this.flash.fill(0xff);
      this.stats.massErases++;
      this.#start(this.chip.pageEraseMs * 1000);
    } else if (value & CR.PER) {
      const offset = (this.ar >>> 0) - 0x08000000;
      if (offset < 0 || offset >= this.flash.length) return;
      const start = offset - (offset % this.chip.pageSize);
      this.flash.fill(0xff, start, start + this.chip.pageSize);
      this.stats.pageErases++;
      this.#start(this.chip.pageEraseMs * 1000);
    }
  }

  /** A write to the array at `offset` (bytes into flash). */
  program(offset: number, size: AccessSize, value: number): void {
    if (!(this.cr & CR.PG) || this.cr & CR.LOCK) return;
    if (size !== 2) throw new BusFault(0x08000000 + offset, "flash takes half-word writes only");
    this.stall();
    const now = this.#view.getUint16(offset, true);
    value &= 0xffff;
    if (now !== 0xffff && value !== 0) {
      this.sr |= SR.PGERR;
      this.stats.pgErrors++;
      return;
    }
    this.#view.setUint16(offset, value, true);
    this.stats.halfWords++;
    this.#start(this.chip.halfWordUs);
  }

  /** System reset: the running operation finishes, the FPEC locks again. */
  reset(): void {
    this.stall();
    this.cr = CR.LOCK;
    this.sr = 0;
    this.#keyStep = 0;
    this.#lockedUntilReset = false;
  }
}

/** The FPEC register block. */
export class FpecRegisters implements Region {
  readonly name = "fpec";
  readonly base = FPEC_BASE;
  readonly size = 0x400;
  constructor(readonly fpec: Fpec) {}

  read(offset: number, size: AccessSize): number {
    if (size !== 4) return 0;
    const f = this.fpec;
    switch (offset) {
      case FPEC_REG.SR:
        if (f.busy) f.onBusyPoll();
        return f.readSr();
      case FPEC_REG.CR:
        return f.cr;
      case FPEC_REG.AR:
        return f.ar;
      case FPEC_REG.OBR:
        return 0x03fffffc; // no read protection, default user option bytes
      case FPEC_REG.WRPR:
        return 0xffffffff; // no page write-protected
      default:
        return 0;
    }
  }

  write(offset: number, size: AccessSize, value: number): void {
    if (size !== 4) return;
    const f = this.fpec;
    switch (offset) {
      case FPEC_REG.KEYR:
        return f.writeKey(value);
      case FPEC_REG.SR:
        f.sr &= ~(value & (SR.PGERR | SR.WRPRTERR | SR.EOP));
        return;
      case FPEC_REG.CR:
        return f.writeCr(value);
      case FPEC_REG.AR:
        if (!f.busy) f.ar = value >>> 0;
        return;
    }
  }
}

/** The flash array at `base` (0x08000000, and its boot alias at 0). */
export class FlashArray implements Region {
  readonly name = "flash";
  readonly #view: DataView;
  constructor(readonly base: number, readonly fpec: Fpec) {
    const f = fpec.flash;
    this.#view = new DataView(f.buffer, f.byteOffset, f.byteLength);
  }
  get size(): number {
    return this.fpec.flash.length;
  }
  read(offset: number, size: AccessSize): number {
    this.fpec.stall();
    const v = this.#view;
    return size === 4
      ? v.getUint32(offset, true)
      : size === 2
      ? v.getUint16(offset, true)
      : v.getUint8(offset);
  }
  write(offset: number, size: AccessSize, value: number): void {
    this.fpec.program(offset, size, value);
  }
}
