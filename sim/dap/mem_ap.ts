/**
 * An AHB-AP (ADIv5 MEM-AP, C2): CSW, TAR, DRW, BD0–BD3, CFG, BASE, IDR. Accesses use the
 * CSW size with byte lanes from TAR[1:0]; TAR auto-increments by the access size and wraps
 * within its block (1 KiB is the range ADIv5 guarantees, IHI 0031 C2.2.2, so hosts must split
 * there; the nRF52's AHB-AP wraps at 4 KiB).
 *
 * @module
 */
import type { AccessPort, ApResult } from "./dp.ts";

/** What the MEM-AP drives: the target's system bus as the debugger sees it. */
export interface DebugBus {
  debugRead(
    address: number,
    size: 1 | 2 | 4,
  ): { ok: true; value: number } | { ok: false; wait: boolean };
  debugWrite(
    address: number,
    size: 1 | 2 | 4,
    value: number,
  ): { ok: true; value: number } | { ok: false; wait: boolean };
  /** True while a finished write still holds the bus (e.g. flash programming). */
  debugStalled?(address: number): boolean;
}

/** CSW bits. */
export const CSW = {
  SIZE_MASK: 7,
  ADDRINC_SINGLE: 0x10,
  ADDRINC_MASK: 0x30,
  DEVICE_EN: 0x40,
} as const;

/** One MEM-AP. */
export class MemAp implements AccessPort {
  /** Reset value: byte size, no increment (hosts must program CSW). */
  csw = 0x03000040;
  /** Transfer Address Register. */
  tar = 0;
  #stalledAt: number | null = null;

  /** A MEM-AP on `bus` with identification `idr` and a TAR increment range of `wrapBytes`. */
  constructor(
    readonly bus: DebugBus,
    readonly idr: number,
    readonly wrapBytes = 1024,
    readonly base = 0xe00ff003,
  ) {}

  #size(): 1 | 2 | 4 {
    const s = this.csw & CSW.SIZE_MASK;
    return s === 0 ? 1 : s === 1 ? 2 : 4;
  }

  #increment(): void {
    if ((this.csw & CSW.ADDRINC_MASK) === 0) return;
    const wrap = this.wrapBytes - 1;
    this.tar = ((this.tar & ~wrap) | ((this.tar + this.#size()) & wrap)) >>> 0;
  }

  #access(address: number, write: boolean, value: number, advance: boolean): ApResult {
    const size = this.#size();
    const aligned = (address & ~(size - 1)) >>> 0;
    const lane = (address & 3) * 8;
    if (write) {
      const v = size === 4
        ? value
        : (value >>> (size === 2 ? lane & 16 : lane)) & (size === 2 ? 0xffff : 0xff);
      const r = this.bus.debugWrite(aligned, size, v);
      if (!r.ok) return { status: r.wait ? "wait" : "fault" };
      if (this.bus.debugStalled?.(aligned)) this.#stalledAt = aligned;
      if (advance) this.#increment();
      return { status: "ok", value: 0 };
    }
    const r = this.bus.debugRead(aligned, size);
    if (!r.ok) return { status: r.wait ? "wait" : "fault" };
    if (advance) this.#increment();
    const shifted = size === 4 ? r.value : r.value << (size === 2 ? lane & 16 : lane);
    return { status: "ok", value: shifted >>> 0 };
  }

  /** True while the last write's bus transaction has not finished. */
  busy(): boolean {
    if (this.#stalledAt === null) return false;
    if (this.bus.debugStalled?.(this.#stalledAt)) return true;
    this.#stalledAt = null;
    return false;
  }

  /** DAPABORT: stop waiting for the bus. */
  abort(): void {
    this.#stalledAt = null;
  }

  /** Reads an AP register. */
  read(reg: number): ApResult {
    switch (reg) {
      case 0x00:
        return { status: "ok", value: (this.csw | CSW.DEVICE_EN) >>> 0 };
      case 0x04:
        return { status: "ok", value: this.tar };
      case 0x0c:
        return this.#access(this.tar, false, 0, true);
      case 0x10:
      case 0x14:
      case 0x18:
      case 0x1c:
        return this.#access(((this.tar & ~0xf) | (reg & 0xc)) >>> 0, false, 0, false);
      case 0xf8:
        return { status: "ok", value: this.base };
      case 0xfc:
        return { status: "ok", value: this.idr };
      default: // CFG (little-endian, 32-bit) and reserved registers
        return { status: "ok", value: 0 };
    }
  }

  /** Writes an AP register. */
  write(reg: number, value: number): ApResult {
    switch (reg) {
      case 0x00: {
        const size = (value & 7) <= 2 ? value & 7 : this.csw & 7; // unsupported sizes ignored
        this.csw = ((value & 0xff00ff30) | size | CSW.DEVICE_EN) >>> 0;
        return { status: "ok", value: 0 };
      }
      case 0x04:
        this.tar = value >>> 0;
        return { status: "ok", value: 0 };
      case 0x0c:
        return this.#access(this.tar, true, value, true);
      case 0x10:
      case 0x14:
      case 0x18:
      case 0x1c:
        return this.#access(((this.tar & ~0xf) | (reg & 0xc)) >>> 0, true, value, false);
      default:
        return { status: "ok", value: 0 };
    }
  }
}
