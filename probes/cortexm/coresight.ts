/**
 * CoreSight discovery: walks a ROM table the way the architecture defines it and reports the
 * components found, plus every irregularity met on the way instead of failing on it.
 *
 * The rules checked (CoreSight Architecture Specification, ARM IHI 0029, B2 and D5; ADIv5.2,
 * ARM IHI 0031, D3): every component owns 4 KiB blocks whose last words hold PIDR4–7,
 * PIDR0–3 and CIDR0–3, and its CIDR bytes carry the preamble 0x0D, 0x?0, 0x05, 0xB1 with the
 * component class in CIDR1[7:4]; a class 0x1 ROM table lists components as 32-bit entries
 * from offset 0x000 to at most 0xEFC, each with bit 0 = present and bit 1 = 32-bit format,
 * its offset from the table in bits [31:12], and a zero entry ends the table; a component of
 * 2^PIDR4.SIZE blocks has its ID registers in its last block, the one the entry points at.
 *
 * @module
 */

import type { SpanReader, WordSpan } from "./spans.ts";

export type { SpanReader, WordReader, WordSpan } from "./spans.ts";

/**
 * The spans holding a block's identification: DEVTYPE/MEMTYPE (0xFCC) and PIDR4 (0xFD0),
 * then PIDR0–3 and CIDR0–3 (0xFE0–0xFFC). PIDR5–7 (0xFD4–0xFDC) are reserved and skipped.
 */
export function idSpans(address: number): WordSpan[] {
  return [
    { address: (address + 0xfcc) >>> 0, count: 2 },
    { address: (address + 0xfe0) >>> 0, count: 8 },
  ];
}

/** One identified component. */
export interface Component {
  /** Address of the 4 KiB block holding its ID registers. */
  readonly address: number;
  /** First address of the component (lower when PIDR4.SIZE > 0). */
  readonly start: number;
  /** Component class: 0x1 ROM table, 0x9 CoreSight component, 0xE generic IP. */
  readonly componentClass: number;
  /** JEP106 designer: continuation count << 8 | identity code (Arm 0x43B). */
  readonly designer: number;
  /** 12-bit part number. */
  readonly part: number;
  /** Revision (PIDR2[7:4]). */
  readonly revision: number;
  /** DEVTYPE (class 0x9) or MEMTYPE (class 0x1): the word at offset 0xFCC. */
  readonly word0xfcc: number;
  /** ROM table nesting depth (0 = the base). */
  readonly depth: number;
}

/** What a walk found. */
export interface RomTableWalk {
  /** Where the walk started. */
  readonly base: number;
  /** ROM tables, in the order visited (the base first when it is one). */
  readonly tables: readonly Component[];
  /** Every other identified component, in table order. */
  readonly components: readonly Component[];
  /** Irregularities met (each skipped, never followed). */
  readonly problems: readonly string[];
}

/** Arm's JEP106 designer code. */
export const ARM_DESIGNER = 0x43b;
/** Address of the Cortex-M System Control Space (ARMv6-M / ARMv7-M / ARMv8-M). */
export const SCS_ADDRESS = 0xe000e000;
/** Where the Cortex-M ROM table sits in the PPB when nothing else says. */
export const CORTEX_M_ROM_TABLE = 0xe00ff000;

const MAX_DEPTH = 8;
const MAX_COMPONENTS = 256;
/** Last offset a ROM table entry may use. */
const LAST_ENTRY = 0xefc;
/** Entries read at a time: 15 words fill one DAP_Transfer reply. */
const ENTRY_CHUNK = 15;

/** Names of the Arm parts found on Cortex-M0/M3/M4 systems, for messages. */
const ARM_PARTS: Record<number, string> = {
  0x000: "Cortex-M3 SCS",
  0x001: "ITM",
  0x002: "DWT",
  0x003: "FPB",
  0x008: "Cortex-M0 SCS",
  0x00a: "Cortex-M0 DWT",
  0x00b: "Cortex-M0 BPU",
  0x00c: "Cortex-M4 SCS",
  0x471: "Cortex-M0 ROM table",
  0x4c0: "Cortex-M0+ ROM table",
  0x4c3: "Cortex-M3 ROM table",
  0x4c4: "Cortex-M4 ROM table",
  0x923: "Cortex-M3 TPIU",
  0x924: "Cortex-M3 ETM",
  0x925: "Cortex-M4 ETM",
  0x9a1: "Cortex-M4 TPIU",
};

const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, "0")}`;

/** A readable name for a component. */
export function componentName(c: Component): string {
  const known = c.designer === ARM_DESIGNER ? ARM_PARTS[c.part] : undefined;
  if (known) return known;
  const kind = c.componentClass === 0x1 ? "ROM table" : `class 0x${c.componentClass.toString(16)}`;
  return `${kind} (designer 0x${c.designer.toString(16)}, part 0x${c.part.toString(16)})`;
}

/**
 * Decodes a block's identification as read through {@link idSpans} (the word at 0xFCC, PIDR4,
 * PIDR0–3, CIDR0–3); a string says why it does not identify a component.
 */
export function decodeIds(address: number, w: Uint32Array, depth = 0): Component | string {
  const byte = (i: number) => w[i] & 0xff;
  const cidr = [6, 7, 8, 9].map(byte);
  if (cidr[0] !== 0x0d || (cidr[1] & 0x0f) !== 0 || cidr[2] !== 0x05 || cidr[3] !== 0xb1) {
    const value = cidr.reduceRight((v, b) => v * 256 + b, 0);
    return `no CoreSight component at ${hex(address)} (CIDR ${hex(value)})`;
  }
  const pidr = [2, 3, 4, 5, 1].map(byte); // PIDR0..4
  const size = (pidr[4] >> 4) & 0xf;
  const jedec = (pidr[2] & 0x08) !== 0;
  const identity = ((pidr[1] >> 4) & 0xf) | ((pidr[2] & 0x7) << 4);
  return {
    address,
    start: (address - ((2 ** size) - 1) * 0x1000) >>> 0,
    componentClass: (cidr[1] >> 4) & 0xf,
    designer: jedec ? ((pidr[4] & 0xf) << 8) | identity : 0,
    part: pidr[0] | ((pidr[1] & 0xf) << 8),
    revision: (pidr[2] >> 4) & 0xf,
    word0xfcc: w[0] >>> 0,
    depth,
  };
}

/** Reads the identification of `address` (one call of `read`) and decodes it. */
export async function identifyAt(
  read: SpanReader,
  address: number,
  depth = 0,
): Promise<Component | string> {
  return decodeRead(address, await read(idSpans(address)), depth);
}

/** Decodes what the two {@link idSpans} of `address` returned. */
function decodeRead(address: number, parts: (Uint32Array | Error)[], depth: number) {
  const [head, tail] = parts;
  if (!(head instanceof Uint32Array) || !(tail instanceof Uint32Array)) {
    const failed = parts.find((p) => p instanceof Error);
    return `cannot read ${hex(address)}: ${failed?.message ?? "no data"}`;
  }
  const words = new Uint32Array(10);
  words.set(head.subarray(0, 2));
  words.set(tail.subarray(0, 8), 2);
  return decodeIds(address, words, depth);
}

/**
 * Spans read once and kept, so the walk can ask for a whole level of a table in one call
 * and then go through it entry by entry.
 */
class SpanCache {
  readonly #read: SpanReader;
  readonly #got = new Map<string, Uint32Array | Error>();

  constructor(read: SpanReader) {
    this.#read = read;
  }

  /** Reads, in one call, the spans not read yet. */
  async load(spans: readonly WordSpan[]): Promise<void> {
    const missing = spans.filter((s, i) =>
      !this.#got.has(key(s)) && spans.findIndex((t) => key(t) === key(s)) === i
    );
    if (!missing.length) return;
    const words = await this.#read(missing);
    missing.forEach((s, i) => this.#got.set(key(s), words[i] ?? new Error("no data")));
  }

  /** The words of `span` (read now if they were not loaded). */
  async get(span: WordSpan): Promise<Uint32Array | Error> {
    await this.load([span]);
    return this.#got.get(key(span))!;
  }

  /** The identification of the block at `address`. */
  async identify(address: number, depth: number): Promise<Component | string> {
    const spans = idSpans(address);
    await this.load(spans);
    return decodeRead(address, await Promise.all(spans.map((s) => this.get(s))), depth);
  }
}

const key = (s: WordSpan) => `${s.address >>> 0}:${s.count}`;

/** The span of a table's entries from `offset` on, at most ENTRY_CHUNK words. */
function entrySpan(table: number, offset: number): WordSpan {
  return {
    address: (table + offset) >>> 0,
    count: Math.min(ENTRY_CHUNK, (LAST_ENTRY + 4 - offset) / 4),
  };
}

/**
 * Walks the ROM table (or single component) at `base`; throws only when `base` has none.
 * Reads go level by level: the base's identification with its first entries, then the
 * identification of every component a chunk of entries lists, each in one call of `read`.
 */
export async function walkRomTable(read: SpanReader, base: number): Promise<RomTableWalk> {
  const tables: Component[] = [];
  const components: Component[] = [];
  const problems: string[] = [];
  const claimed: Component[] = [];
  const cache = new SpanCache(read);

  const overlapping = (c: Component) =>
    claimed.find((o) => c.start < o.address + 0x1000 && o.start < c.address + 0x1000);

  // The base is nearly always a table: its first entries come with its identification.
  await cache.load([...idSpans(base >>> 0), entrySpan(base >>> 0, 0)]);
  const root = await cache.identify(base >>> 0, 0);
  if (typeof root === "string") throw new RomTableMissing(base >>> 0, root);
  claimed.push(root);

  const walkTable = async (table: Component): Promise<void> => {
    tables.push(table);
    let ended = false;
    for (let offset = 0; offset <= LAST_ENTRY && !ended; offset += ENTRY_CHUNK * 4) {
      const span = entrySpan(table.address, offset);
      const words = await cache.get(span);
      if (words instanceof Error) {
        problems.push(`cannot read ROM table ${hex(table.address)}: ${words.message}`);
        return;
      }
      await cache.load(listed(table.address, words, MAX_COMPONENTS - claimed.length));
      for (let i = 0; i < span.count; i++) {
        const entry = words[i] >>> 0;
        const at = `ROM table ${hex(table.address)} entry ${(offset + i * 4) / 4}`;
        if (entry === 0) {
          ended = true;
          break;
        }
        if ((entry & 1) === 0) continue; // not present
        if ((entry & 2) === 0) {
          problems.push(`${at}: 8-bit entry format (${hex(entry)}), skipped`);
          continue;
        }
        if (claimed.length >= MAX_COMPONENTS) {
          problems.push(`${at}: more than ${MAX_COMPONENTS} components, walk stopped`);
          return;
        }
        const address = (table.address + (entry & 0xfffff000)) >>> 0;
        const found = await cache.identify(address, table.depth + 1);
        if (typeof found === "string") {
          problems.push(`${at}: ${found}`);
          continue;
        }
        const clash = overlapping(found);
        if (clash) {
          const what = clash.componentClass === 0x1 ? "ROM table" : "component";
          problems.push(`${at}: ${hex(address)} overlaps the ${what} at ${hex(clash.address)}`);
          continue;
        }
        claimed.push(found);
        if (found.componentClass !== 0x1) components.push(found);
        else if (found.depth > MAX_DEPTH) {
          problems.push(`${at}: ROM tables nested deeper than ${MAX_DEPTH}, not followed`);
        } else await walkTable(found);
      }
    }
    if (!ended) problems.push(`ROM table ${hex(table.address)} has no end marker`);
  };

  if (root.componentClass === 0x1) await walkTable(root);
  else components.push(root);
  return { base: base >>> 0, tables, components, problems };
}

/**
 * The identification spans of the components a chunk of entries lists (at most `limit`).
 * A lone entry is most often a pointer to the next table (a vendor table leading to the
 * core's), so its first entries are asked for along with its identification.
 */
function listed(table: number, words: Uint32Array, limit: number): WordSpan[] {
  const blocks: number[] = [];
  for (const entry of words) {
    if (entry === 0 || blocks.length >= limit) break;
    if ((entry & 3) === 3) blocks.push((table + (entry & 0xfffff000)) >>> 0);
  }
  const spans = blocks.flatMap(idSpans);
  return blocks.length === 1 ? [...spans, entrySpan(blocks[0], 0)] : spans;
}

/** The base address holds no CoreSight component. */
export class RomTableMissing extends Error {
  /** `reason` says what was read at `base`. */
  constructor(readonly base: number, readonly reason: string) {
    super(reason);
    this.name = "RomTableMissing";
  }
}

/** The core's System Control Space among the components, if any. */
export function findScs(components: readonly Component[]): Component | undefined {
  return components.find((c) =>
    c.address === SCS_ADDRESS && (c.componentClass === 0xe || c.componentClass === 0x9)
  );
}
