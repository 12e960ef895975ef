/**
 * ESP-IDF partition table binary: 32-byte entries (`AA 50`, type, subtype, offset, size,
 * 16-byte name, flags), an MD5 entry (`EB EB`, 14 × FF, MD5 of the entries before it) and
 * 0xFF fill to 0xC00 bytes. Facts from ESP-IDF `gen_esp32part.py` (see the reference notes §3.3).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { ImageFormatError } from "../../../kernel/mod.ts";

/** Size of one entry. */
export const ENTRY_SIZE = 32;
/** Longest table binary (the rest of its 4 KiB sector is kept for a signature). */
export const MAX_TABLE_LENGTH = 0xc00;
/** Default flash offset of the table. */
export const DEFAULT_TABLE_OFFSET = 0x8000;
/** Flash the table occupies (one sector). */
export const TABLE_SECTOR = 0x1000;

/** Partition type names → values. */
export const TYPES: Readonly<Record<string, number>> = {
  app: 0x00,
  data: 0x01,
  bootloader: 0x02,
  partition_table: 0x03,
};

/** Subtype names per type value. */
export const SUBTYPES: Readonly<Record<number, Readonly<Record<string, number>>>> = {
  0x00: {
    factory: 0x00,
    test: 0x20,
    ...Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`ota_${i}`, 0x10 + i])),
  },
  0x01: {
    ota: 0x00,
    phy: 0x01,
    nvs: 0x02,
    coredump: 0x03,
    nvs_keys: 0x04,
    efuse: 0x05,
    undefined: 0x06,
    esphttpd: 0x80,
    fat: 0x81,
    spiffs: 0x82,
    littlefs: 0x83,
  },
  0x02: { primary: 0x00, ota: 0x01, recovery: 0x02 },
  0x03: { primary: 0x00, ota: 0x01 },
};

/** Flag bit names → bit values. */
export const FLAGS: Readonly<Record<string, number>> = { encrypted: 0x1, readonly: 0x2 };

/** One partition. */
export interface Partition {
  /** Name, at most 16 bytes. */
  readonly name: string;
  /** Type value (0 app, 1 data, …, 0x40–0xFE custom). */
  readonly type: number;
  /** Subtype value. */
  readonly subtype: number;
  /** Flash offset. */
  readonly offset: number;
  /** Size in bytes. */
  readonly size: number;
  /** Flag bits (bit 0 encrypted, bit 1 readonly). */
  readonly flags: number;
  /** CSV line it came from, for messages. */
  readonly line?: number;
}

/** A decoded binary table and how it was laid out (for byte-exact re-encoding). */
export interface DecodedTable {
  /** Entries in order. */
  readonly partitions: Partition[];
  /** An MD5 entry followed the entries. */
  readonly md5: boolean;
  /** Total length of the binary (0xC00 when padded). */
  readonly length: number;
}

/** Options of {@link encodeTable}. */
export interface EncodeOptions {
  /** Append the MD5 entry (default true). */
  readonly md5?: boolean;
  /** Fill with 0xFF to this length (default 0xC00; 0 = no fill). */
  readonly length?: number;
}

/** Largest value of the table's 32-bit offset, size and flags fields. */
export const U32_MAX = 0xffffffff;

/** `record[key]` when `key` is the record's own property (never `constructor`, `__proto__`…). */
export function ownValue<V>(record: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Type name for a value, or hex. */
export function typeName(type: number): string {
  return Object.entries(TYPES).find(([, v]) => v === type)?.[0] ?? `0x${type.toString(16)}`;
}

/** Subtype name for a value within its type, or hex. */
export function subtypeName(type: number, subtype: number): string {
  return Object.entries(SUBTYPES[type] ?? {}).find(([, v]) => v === subtype)?.[0] ??
    `0x${subtype.toString(16).padStart(2, "0")}`;
}

/** Throws unless every numeric field fits its binary field (a DataView would wrap silently). */
function checkFields(p: Partition): void {
  if (new TextEncoder().encode(p.name).length > 16) {
    throw new ImageFormatError("partition table", `name '${p.name}' is longer than 16 bytes`);
  }
  const fields: [string, number, number][] = [
    ["type", p.type, 0xff],
    ["subtype", p.subtype, 0xff],
    ["offset", p.offset, U32_MAX],
    ["size", p.size, U32_MAX],
    ["flags", p.flags, U32_MAX],
  ];
  for (const [field, value, max] of fields) {
    if (!Number.isSafeInteger(value) || value < 0 || value > max) {
      throw new ImageFormatError(
        "partition table",
        `${field} ${value} of '${p.name}' does not fit the table's ${
          max === 0xff ? 8 : 32
        }-bit field`,
        { hint: `use a value from 0 to 0x${max.toString(16)}` },
      );
    }
  }
}

const md5 = (b: Uint8Array) => new Uint8Array(createHash("md5").update(b).digest());

/** True when `bytes` start with a partition table entry. */
export function looksLikePartitionTable(bytes: Uint8Array): boolean {
  return bytes.length >= ENTRY_SIZE && bytes[0] === 0xaa && bytes[1] === 0x50;
}

/** Decodes a table binary; checks the MD5 entry when present. */
export function decodeTable(bytes: Uint8Array, source = "partition table"): DecodedTable {
  const fail = (m: string): never => {
    throw new ImageFormatError(source, m);
  };
  if (!looksLikePartitionTable(bytes)) fail("not a partition table (no AA 50 entry at 0)");
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const partitions: Partition[] = [];
  let has5 = false;
  for (let o = 0; o + ENTRY_SIZE <= bytes.length; o += ENTRY_SIZE) {
    const e = bytes.subarray(o, o + ENTRY_SIZE);
    if (e.every((b) => b === 0xff)) break;
    if (e[0] === 0xeb && e[1] === 0xeb) {
      if (!md5(bytes.subarray(0, o)).every((b, i) => b === e[16 + i])) {
        fail("MD5 of the partition table does not match its entries");
      }
      has5 = true;
      break;
    }
    if (e[0] !== 0xaa || e[1] !== 0x50) fail(`entry ${o / ENTRY_SIZE} has bad magic`);
    const nameBytes = e.subarray(12, 28);
    const end = nameBytes.indexOf(0);
    partitions.push({
      type: e[2],
      subtype: e[3],
      offset: v.getUint32(o + 4, true),
      size: v.getUint32(o + 8, true),
      name: new TextDecoder().decode(nameBytes.subarray(0, end < 0 ? 16 : end)),
      flags: v.getUint32(o + 28, true),
    });
  }
  return { partitions, md5: has5, length: bytes.length };
}

/** Encodes partitions to a table binary (MD5 entry and 0xFF fill to 0xC00 by default). */
export function encodeTable(
  partitions: readonly Partition[],
  options: EncodeOptions = {},
): Uint8Array {
  const withMd5 = options.md5 ?? true;
  const used = (partitions.length + (withMd5 ? 1 : 0)) * ENTRY_SIZE;
  const length = Math.max(options.length ?? MAX_TABLE_LENGTH, used);
  if (used > MAX_TABLE_LENGTH) {
    throw new ImageFormatError(
      "partition table",
      `${partitions.length} entries do not fit in 0xc00 bytes`,
    );
  }
  partitions.forEach(checkFields);
  const out = new Uint8Array(length).fill(0xff);
  const v = new DataView(out.buffer);
  partitions.forEach((p, i) => {
    const o = i * ENTRY_SIZE;
    out.set([0xaa, 0x50, p.type, p.subtype], o);
    v.setUint32(o + 4, p.offset, true);
    v.setUint32(o + 8, p.size, true);
    const name = new Uint8Array(16);
    name.set(new TextEncoder().encode(p.name).subarray(0, 16));
    out.set(name, o + 12);
    v.setUint32(o + 28, p.flags, true);
  });
  if (withMd5) {
    const o = partitions.length * ENTRY_SIZE;
    out.set([0xeb, 0xeb], o);
    out.set(md5(out.subarray(0, o)), o + 16);
  }
  return out;
}
