/**
 * SPI NOR flash: erasing sets a whole 4 KiB sector to 0xFF; programming can only clear bits
 * (the new byte is the AND of old and written), which is why a write without an erase
 * silently leaves the wrong data behind, exactly as on a real part.
 *
 * Power loss can be injected in the middle of a sector erase or a page program: the
 * interrupted sector is left half-erased (some bytes 0xFF, others with only some bits set
 * back to 1) and the interrupted page partly programmed (some bytes written, some with only
 * some of their bits cleared), as NOR cells are left when the charge pump stops; after the
 * cut nothing changes until power returns.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { type PowerCut, PowerSupply } from "../power.ts";

export type { PowerCut };

/** Erase granularity of SPI NOR parts used with ESP chips. */
export const SECTOR_SIZE = 0x1000;
/** Program granularity (one page program command). */
export const PAGE_SIZE = 0x100;

/** Counters of flash work, for timing and for tests. */
export interface FlashCounters {
  /** Sectors erased. */
  sectorsErased: number;
  /** Pages programmed. */
  pagesProgrammed: number;
  /** Bytes hashed by MD5 requests. */
  bytesHashed: number;
}

/** A NOR flash array. */
export class NorFlash {
  /** The array; tests may read it. Modify only through the methods. */
  readonly bytes: Uint8Array;
  /** Work done so far. */
  readonly counters: FlashCounters = { sectorsErased: 0, pagesProgrammed: 0, bytesHashed: 0 };
  /** Set when contents change; the owner clears it after persisting. */
  dirty = false;
  /** Failure injection: cells stuck at 1 (programming cannot clear their bits). */
  readonly stuckCells: Set<number> = new Set();
  /** Failure injection: a power cut armed by {@link armPowerCut}. */
  readonly #power = new PowerSupply();

  constructor(readonly size: number, initial?: Uint8Array) {
    if (size <= 0 || size % SECTOR_SIZE) throw new RangeError(`bad flash size ${size}`);
    this.bytes = new Uint8Array(size).fill(0xff);
    if (initial) this.bytes.set(initial.subarray(0, size));
  }

  /** Arms a power cut during a coming sector erase or page program. */
  armPowerCut(cut: PowerCut): void {
    this.#power.arm(cut);
  }

  /** Power returns: the array keeps what the cut left; no cut stays armed. */
  powerOn(): void {
    this.#power.powerOn();
  }

  /** False between a power cut and {@link powerOn}. */
  get powered(): boolean {
    return this.#power.powered;
  }

  /** True when the armed cut hits this operation (and cuts the power). */
  #cutsNow(what: "erase" | "program", addr: number): PowerCut | undefined {
    const cut = this.#power.cutsNow(what, addr);
    if (cut) this.dirty = true;
    return cut;
  }

  /** True when [addr, addr+len) lies inside the array. */
  contains(addr: number, len: number): boolean {
    return addr >= 0 && len >= 0 && addr + len <= this.size;
  }

  /** Erases every sector touching [addr, addr+len); returns how many sectors were erased. */
  eraseRange(addr: number, len: number): number {
    if (len <= 0) return 0;
    const first = Math.floor(addr / SECTOR_SIZE);
    const last = Math.floor((addr + len - 1) / SECTOR_SIZE);
    for (let s = first; s <= last; s++) this.eraseSector(s * SECTOR_SIZE);
    return last - first + 1;
  }

  /** Erases the sector at a sector-aligned address. */
  eraseSector(addr: number): void {
    if (addr % SECTOR_SIZE || !this.contains(addr, SECTOR_SIZE)) {
      throw new RangeError(`erase at 0x${addr.toString(16)} is not a sector of this flash`);
    }
    if (!this.#power.powered) return;
    const cut = this.#cutsNow("erase", addr);
    if (cut) {
      // Erase drives cells towards 1 unevenly: some are done, some only partly.
      const done = cut.noise();
      for (let i = addr; i < addr + SECTOR_SIZE; i++) {
        const r = cut.noise();
        if (r < done) this.bytes[i] = 0xff;
        else if (r < done + (1 - done) / 2) this.bytes[i] |= Math.floor(cut.noise() * 256);
      }
      return;
    }
    this.bytes.fill(0xff, addr, addr + SECTOR_SIZE);
    this.counters.sectorsErased++;
    this.dirty = true;
  }

  /** True when the sector holding `addr` is all 0xFF. */
  sectorBlank(addr: number): boolean {
    const start = addr - (addr % SECTOR_SIZE);
    const s = this.bytes.subarray(start, start + SECTOR_SIZE);
    for (let i = 0; i < s.length; i++) if (s[i] !== 0xff) return false;
    return true;
  }

  /** Programs bytes: each cell becomes old AND new. Returns the pages touched. */
  program(addr: number, data: Uint8Array): number {
    if (!this.contains(addr, data.length)) {
      throw new RangeError(`program at 0x${addr.toString(16)} runs past the end of flash`);
    }
    if (!this.#power.powered) return 0;
    const stuck = this.stuckCells;
    let end = data.length;
    if (this.#power.armed) {
      // One page program at a time, so a cut lands inside one page.
      for (let p = addr; p < addr + data.length; p = (Math.floor(p / PAGE_SIZE) + 1) * PAGE_SIZE) {
        const cut = this.#cutsNow("program", p);
        if (!cut) continue;
        const pageEnd = Math.min(addr + data.length, (Math.floor(p / PAGE_SIZE) + 1) * PAGE_SIZE);
        const done = cut.noise();
        for (let i = p; i < pageEnd; i++) {
          const r = cut.noise();
          const want = data[i - addr];
          if (r < done) this.bytes[i] &= want;
          else if (r < done + (1 - done) / 2) this.bytes[i] &= want | Math.floor(cut.noise() * 256);
        }
        end = p - addr;
        break;
      }
    }
    for (let i = 0; i < end; i++) {
      if (stuck.size === 0 || !stuck.has(addr + i)) this.bytes[addr + i] &= data[i];
    }
    const pages = data.length === 0
      ? 0
      : Math.floor((addr + data.length - 1) / PAGE_SIZE) - Math.floor(addr / PAGE_SIZE) + 1;
    this.counters.pagesProgrammed += pages;
    this.dirty = true;
    return pages;
  }

  /** Copies out [addr, addr+len). */
  read(addr: number, len: number): Uint8Array {
    return this.bytes.slice(addr, addr + len);
  }

  /** MD5 of [addr, addr+len), as the loaders compute it. */
  md5(addr: number, len: number): Uint8Array {
    this.counters.bytesHashed += len;
    return new Uint8Array(createHash("md5").update(this.bytes.subarray(addr, addr + len)).digest());
  }

  /** Erases the whole array. */
  eraseAll(): number {
    if (!this.#power.powered) return 0;
    this.bytes.fill(0xff);
    const n = this.size / SECTOR_SIZE;
    this.counters.sectorsErased += n;
    this.dirty = true;
    return n;
  }
}
