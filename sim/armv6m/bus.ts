/**
 * The memory bus shared by the simulated core and the debug port: address regions with
 * byte/halfword/word access, little-endian, and a fault for unmapped addresses.
 *
 * @module
 */

/** Access size in bytes. */
export type AccessSize = 1 | 2 | 4;

/** Raised by a region (or the map) when an access has no slave or is refused. */
export class BusFault extends Error {
  /** The faulting address. */
  readonly address: number;
  /** A fault at `address`, with the reason. */
  constructor(address: number, why = "no device at this address") {
    super(`bus fault at 0x${(address >>> 0).toString(16).padStart(8, "0")}: ${why}`);
    this.address = address >>> 0;
  }
}

/** One slave on the bus. Offsets are relative to `base`; accesses arrive aligned. */
export interface Region {
  /** First address. */
  readonly base: number;
  /** Size in bytes. */
  readonly size: number;
  /** Name for diagnostics. */
  readonly name: string;
  /** Reads `size` bytes at `offset` as an unsigned little-endian number. */
  read(offset: number, size: AccessSize): number;
  /** Halfword view of plain memory the core may fetch from directly (no side effects). */
  readonly fetchView?: Uint16Array;
  /** Writes the low `size` bytes of `value` at `offset`. */
  write(offset: number, size: AccessSize, value: number): void;
}

/** A bus as seen by the core and the MEM-AP. */
export interface Bus {
  /** Reads an aligned value; throws {@link BusFault}. */
  read(address: number, size: AccessSize): number;
  /** Writes an aligned value; throws {@link BusFault}. */
  write(address: number, size: AccessSize, value: number): void;
  /** Counts writes; the idle-loop detector uses it to prove a loop has no side effects. */
  readonly writeCount: number;
  /** The region holding an address, when the bus can tell (enables direct fetches). */
  regionAt?(address: number): Region | undefined;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Plain read/write memory (RAM), or read-only memory when `readOnly`. */
export class RamRegion implements Region {
  /** The contents. */
  readonly bytes: Uint8Array;
  readonly fetchView?: Uint16Array;
  readonly #view: DataView;
  /** Memory of `size` bytes at `base` (sharing `bytes` when given). */
  constructor(
    readonly name: string,
    readonly base: number,
    readonly size: number,
    bytes?: Uint8Array,
    readonly readOnly = false,
  ) {
    this.bytes = bytes ?? new Uint8Array(size);
    this.#view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    if (LITTLE_ENDIAN_HOST && this.bytes.byteOffset % 2 === 0) {
      this.fetchView = new Uint16Array(
        this.bytes.buffer,
        this.bytes.byteOffset,
        this.bytes.length >> 1,
      );
    }
  }
  read(offset: number, size: AccessSize): number {
    const v = this.#view;
    return size === 4
      ? v.getUint32(offset, true)
      : size === 2
      ? v.getUint16(offset, true)
      : v.getUint8(offset);
  }
  write(offset: number, size: AccessSize, value: number): void {
    if (this.readOnly) return;
    const v = this.#view;
    if (size === 4) v.setUint32(offset, value >>> 0, true);
    else if (size === 2) v.setUint16(offset, value & 0xffff, true);
    else v.setUint8(offset, value & 0xff);
  }
}

/** Reads as zero, ignores writes (unmodelled peripherals and system registers). */
export class RazWiRegion implements Region {
  /** An empty region of `size` bytes at `base`. */
  constructor(readonly name: string, readonly base: number, readonly size: number) {}
  read(): number {
    return 0;
  }
  write(): void {}
}

/** A set of non-overlapping regions; unmapped addresses fault. */
export class MemoryMap implements Bus {
  readonly #regions: Region[] = [];
  #last: Region | undefined;
  writeCount = 0;

  /** Adds a region (later regions may not overlap earlier ones). */
  add(region: Region): this {
    for (const r of this.#regions) {
      if (region.base < r.base + r.size && r.base < region.base + region.size) {
        throw new Error(`region ${region.name} overlaps ${r.name}`);
      }
    }
    this.#regions.push(region);
    return this;
  }

  /** The region holding `address`, if any. */
  regionAt(address: number): Region | undefined {
    const last = this.#last;
    if (last && address >= last.base && address - last.base < last.size) return last;
    for (const r of this.#regions) {
      if (address >= r.base && address - r.base < r.size) return (this.#last = r);
    }
    return undefined;
  }

  read(address: number, size: AccessSize): number {
    const r = this.regionAt(address);
    if (!r || address - r.base + size > r.size) throw new BusFault(address);
    return r.read(address - r.base, size);
  }

  write(address: number, size: AccessSize, value: number): void {
    const r = this.regionAt(address);
    if (!r || address - r.base + size > r.size) throw new BusFault(address);
    this.writeCount++;
    r.write(address - r.base, size, value);
  }
}
