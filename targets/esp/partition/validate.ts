/**
 * Partition table checks, each error naming the CSV line of the offending entry
 * (rules from ESP-IDF `gen_esp32part.py`: app offsets 64 KiB aligned, others 4 KiB; no overlap;
 * unique names; otadata exactly 0x2000; nothing below the end of the table's sector).
 *
 * @module
 */
import { ImageFormatError } from "../../../kernel/mod.ts";
import { DEFAULT_TABLE_OFFSET, type Partition, SUBTYPES, TABLE_SECTOR } from "./table.ts";

/** A partition table that breaks a rule; `line` is the CSV line when known. */
export class PartitionTableError extends ImageFormatError {
  constructor(source: string, message: string, line?: number, hint?: string) {
    super(source, message, { line, hint });
  }
}

/** Alignment of a partition's offset: 64 KiB for apps, 4 KiB for everything else. */
export function offsetAlignment(type: number): number {
  return type === 0 ? 0x10000 : 0x1000;
}

/** Options of {@link validateTable}. */
export interface ValidateOptions {
  /** Source name for messages (the CSV path). */
  readonly source?: string;
  /** Flash offset of the table itself (default 0x8000). */
  readonly tableOffset?: number;
  /** Flash size; partitions must end within it when given. */
  readonly flashSize?: number;
}

const hex = (n: number) => `0x${n.toString(16)}`;

/** Throws {@link PartitionTableError} for the first rule the table breaks. */
export function validateTable(parts: readonly Partition[], options: ValidateOptions = {}): void {
  const source = options.source ?? "partition table";
  const tableEnd = (options.tableOffset ?? DEFAULT_TABLE_OFFSET) + TABLE_SECTOR;
  const fail = (p: Partition | undefined, m: string, hint?: string): never => {
    throw new PartitionTableError(source, m, p?.line, hint);
  };
  const seen = new Map<string, Partition>();
  for (const p of parts) {
    if (p.name.length === 0) fail(p, "partition name is empty");
    if (new TextEncoder().encode(p.name).length > 16) {
      fail(p, `partition name '${p.name}' is longer than 16 bytes`);
    }
    const dup = seen.get(p.name);
    if (dup) {
      fail(
        p,
        `duplicate partition name '${p.name}'` + (dup.line ? ` (first on line ${dup.line})` : ""),
      );
    }
    seen.set(p.name, p);
    if (p.type > 0xfe) fail(p, `type ${hex(p.type)} is out of range`);
    if (!(p.type in SUBTYPES) && p.type < 0x40) {
      fail(p, `unknown partition type ${hex(p.type)}`, "use app, data or a custom type 0x40-0xfe");
    }
    if (p.subtype > 0xff) fail(p, `subtype ${hex(p.subtype)} is out of range`);
    if (p.offset + p.size > 0x1_0000_0000) {
      fail(p, `'${p.name}' at ${hex(p.offset)} (size ${hex(p.size)}) ends beyond 4 GiB`);
    }
    if (!Number.isInteger(p.flags) || p.flags < 0 || p.flags > 0xffffffff) {
      fail(p, `flags ${p.flags} of '${p.name}' do not fit 32 bits`);
    }
    const align = offsetAlignment(p.type);
    if (p.offset % align !== 0) {
      fail(p, `offset ${hex(p.offset)} of '${p.name}' is not aligned to ${hex(align)}`);
    }
    if (p.size <= 0) fail(p, `size of '${p.name}' must be positive`);
    if (p.offset < tableEnd && p.type !== 0x02 && p.type !== 0x03) {
      fail(
        p,
        `'${p.name}' at ${hex(p.offset)} is below the end of the partition table (${
          hex(tableEnd)
        })`,
      );
    }
    if (p.type === 0x01 && p.subtype === 0x00 && p.size !== 0x2000) {
      fail(p, `otadata partition '${p.name}' must be exactly 0x2000 bytes, not ${hex(p.size)}`);
    }
    if (options.flashSize !== undefined && p.offset + p.size > options.flashSize) {
      fail(
        p,
        `'${p.name}' ends at ${hex(p.offset + p.size)}, past the flash size ${
          hex(options.flashSize)
        }`,
      );
    }
  }
  const sorted = [...parts].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1], p = sorted[i];
    if (p.offset < prev.offset + prev.size) {
      fail(
        p,
        `'${p.name}' at ${hex(p.offset)} overlaps '${prev.name}' (${hex(prev.offset)}-${
          hex(prev.offset + prev.size)
        })`,
      );
    }
  }
}
