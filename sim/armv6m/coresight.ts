/**
 * CoreSight component identification as a debugger sees it on the bus: each component owns a
 * 4 KiB block whose last words are PIDR4–7, PIDR0–3 and CIDR0–3 (one byte per word), and a
 * class 0x1 ROM table also lists its components as 32-bit entries from offset 0 up to a zero
 * end marker (CoreSight Architecture Specification v2.0, ARM IHI 0029, B2 and D5; ADIv5.2,
 * ARM IHI 0031, D3.2). Everything else in a block reads as zero and ignores writes.
 *
 * @module
 */
import type { AccessSize, MemoryMap, Region } from "./bus.ts";
import { RazWiRegion } from "./bus.ts";

/** Identification of one component. */
export interface ComponentIds {
  /** Component class (CIDR1[7:4]): 0x1 ROM table, 0x9 CoreSight, 0xE generic IP. */
  readonly componentClass: number;
  /** PIDR0–PIDR7 bytes, in register order. */
  readonly pidr: readonly number[];
  /** The word at 0xFCC: MEMTYPE for a ROM table, DEVTYPE for a CoreSight component. */
  readonly word0xfcc?: number;
}

/** The CIDR preamble bytes (CIDR0, CIDR1 low nibble, CIDR2, CIDR3). */
const PREAMBLE = [0x0d, 0x00, 0x05, 0xb1] as const;

/**
 * PIDR bytes for a part: JEP106 `designer` as continuation count << 8 | identity code
 * (Arm 0x43B, Nordic 0x244), 12-bit part number, revision, RevAnd/CMOD (PIDR3), 4 KiB count
 * log2 (PIDR4.SIZE).
 */
export function pidrBytes(
  designer: number,
  part: number,
  revision: number,
  pidr3 = 0,
  size = 0,
): number[] {
  const id = designer & 0x7f, cont = (designer >> 8) & 0xf;
  return [
    part & 0xff,
    ((part >> 8) & 0xf) | ((id & 0xf) << 4),
    ((id >> 4) & 0x7) | 0x08 | ((revision & 0xf) << 4),
    pidr3 & 0xff,
    cont | ((size & 0xf) << 4),
    0,
    0,
    0,
  ];
}

/** The identification word at `offset` (0xFCC–0xFFC) of a component block, else undefined. */
export function idRegister(ids: ComponentIds, offset: number): number | undefined {
  if (offset === 0xfcc) return (ids.word0xfcc ?? 0) >>> 0;
  if (offset >= 0xfd0 && offset < 0xff0) {
    const i = (offset - 0xfd0) >> 2; // PIDR4..7 come first, then PIDR0..3
    return ids.pidr[i < 4 ? i + 4 : i - 4] ?? 0;
  }
  if (offset >= 0xff0 && offset <= 0xffc) {
    const i = (offset - 0xff0) >> 2;
    return i === 1 ? (ids.componentClass << 4) & 0xf0 : PREAMBLE[i];
  }
  return undefined;
}

/** A component's 4 KiB block (or a ROM table, when it has entries). */
export interface ComponentBlock {
  /** Name for diagnostics. */
  readonly name: string;
  /** Block address (4 KiB aligned). */
  readonly base: number;
  /** Its identification. */
  readonly ids: ComponentIds;
  /** ROM table entries from offset 0 (the table's end marker is the first zero after them). */
  readonly entries?: readonly number[];
  /**
   * When given and false, the block reads as zero: trace components (DWT, ITM, TPIU) whose
   * registers, ID registers included, need DEMCR.TRCENA (ARMv7-M ARM C1.6.5).
   */
  readonly powered?: () => boolean;
}

/** A {@link ComponentBlock} as a bus region. */
export class ComponentRegion implements Region {
  readonly size = 0x1000;
  readonly name: string;
  readonly base: number;

  constructor(readonly block: ComponentBlock) {
    this.name = block.name;
    this.base = block.base;
  }

  read(offset: number, size: AccessSize): number {
    const b = this.block;
    if (b.powered && !b.powered()) return 0;
    const aligned = offset & ~3;
    const word = idRegister(b.ids, aligned) ?? b.entries?.[aligned >> 2] ?? 0;
    if (size === 4) return word >>> 0;
    return (word >>> ((offset & 3) * 8)) & (size === 2 ? 0xffff : 0xff);
  }

  write(): void {}
}

/**
 * Maps `blocks` onto `bus` inside [from, to), filling the gaps with read-as-zero regions named
 * `fill`; `taken` regions (e.g. the SCS, already a region of its own) are skipped, not covered.
 */
export function mapComponents(
  bus: MemoryMap,
  from: number,
  to: number,
  blocks: readonly ComponentBlock[],
  taken: readonly Region[] = [],
  fill = "ppb",
): void {
  const regions: Region[] = [...blocks.map((b) => new ComponentRegion(b)), ...taken]
    .sort((a, b) => a.base - b.base);
  let at = from;
  for (const r of regions) {
    if (r.base > at) bus.add(new RazWiRegion(fill, at, r.base - at));
    bus.add(r);
    at = r.base + r.size;
  }
  if (to > at) bus.add(new RazWiRegion(fill, at, to - at));
}

/** A ROM table entry (32-bit format, present) pointing from `table` to `component`. */
export function romEntry(table: number, component: number): number {
  return ((component - table) & 0xfffff000 | 0x3) >>> 0;
}
