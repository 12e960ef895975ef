/**
 * Partition table CSV (`Name, Type, SubType, Offset, Size, Flags`) ⇄ partitions, as ESP-IDF
 * `gen_esp32part.py` reads and writes it: `#` comments, sizes like `1M`, `4K`, `0x1000`,
 * empty offsets placed after the previous partition at the type's alignment (the first one
 * after the table's sector), a negative size meaning "up to that end address".
 *
 * @module
 */
import { parseSize as parseAnySize } from "../../../kernel/mod.ts";
import {
  DEFAULT_TABLE_OFFSET,
  FLAGS,
  ownValue,
  type Partition,
  subtypeName,
  SUBTYPES,
  TABLE_SECTOR,
  typeName,
  TYPES,
  U32_MAX,
} from "./table.ts";
import { offsetAlignment, PartitionTableError, validateTable } from "./validate.ts";

/** Options of {@link parseCsv}. */
export interface CsvOptions {
  /** Source name for messages. */
  readonly source?: string;
  /** Flash offset of the table (default 0x8000); the first free offset is one sector later. */
  readonly tableOffset?: number;
  /** Flash size to check partitions against. */
  readonly flashSize?: number;
  /** Skip {@link validateTable} (default false). */
  readonly noValidate?: boolean;
}

/** Sizes and offsets in CSV cells: `0x1000`, `4096`, `4K`, `1M` (and `-…`); not `1MB`. */
export function parseSize(text: string): number | undefined {
  return parseAnySize(text, { unitOnly: true });
}

/** Formats a size as esptool/IDF do in CSV: `1M`, `24K` or hex. */
export function formatSize(n: number): string {
  if (n !== 0 && n % 0x100000 === 0) return `${n / 0x100000}M`;
  if (n !== 0 && n % 0x400 === 0) return `${n / 0x400}K`;
  return `0x${n.toString(16)}`;
}

const OFFSET_HINT = "partition offsets and sizes are 32-bit: the table cannot describe more";

/** Splits CSV text into rows of trimmed fields with their 1-based line numbers. */
function rows(text: string): { line: number; fields: string[] }[] {
  return text.split(/\r?\n/).map((raw, i) => ({ line: i + 1, raw: raw.trim() }))
    .filter((r) => r.raw !== "" && !r.raw.startsWith("#"))
    .map((r) => ({ line: r.line, fields: r.raw.split(",").map((f) => f.trim()) }));
}

/** Parses a partition CSV; errors are {@link PartitionTableError}s with the line number. */
export function parseCsv(text: string, options: CsvOptions = {}): Partition[] {
  const source = options.source ?? "partitions.csv";
  const tableOffset = options.tableOffset ?? DEFAULT_TABLE_OFFSET;
  const parsed: (Omit<Partition, "offset"> & { offset?: number })[] = [];
  for (const { line, fields } of rows(text)) {
    const fail = (m: string, hint?: string): never => {
      throw new PartitionTableError(source, m, line, hint);
    };
    if (fields.length < 5) {
      fail(`expected at least 5 fields (name, type, subtype, offset, size), got ${fields.length}`);
    }
    const [name, typeText, subText, offText, sizeText, flagText = ""] = fields;
    const type = ownValue(TYPES, typeText.toLowerCase()) ?? parseSize(typeText);
    if (type === undefined || type < 0 || type > 0xfe) {
      fail(
        `unknown partition type '${typeText}'`,
        `use ${Object.keys(TYPES).join(", ")} or 0x40-0xfe`,
      );
    }
    const known = SUBTYPES[type!] ?? {};
    const subtype = ownValue(known, subText.toLowerCase()) ??
      (subText === "" && type! >= 0x40 ? 0 : parseSize(subText));
    if (subtype === undefined || subtype < 0 || subtype > 0xff) {
      fail(
        `unknown subtype '${subText}' for type ${typeName(type!)}`,
        `known: ${Object.keys(known).join(", ")}`,
      );
    }
    let offset: number | undefined;
    if (offText !== "") {
      offset = parseSize(offText);
      if (offset === undefined || offset < 0) fail(`bad offset '${offText}'`);
      if (offset! > U32_MAX) fail(`offset '${offText}' is beyond 4 GiB`, OFFSET_HINT);
    }
    const size = parseSize(sizeText);
    if (size === undefined || sizeText === "") {
      fail(`bad size '${sizeText}'`, "use e.g. 1M, 24K or 0x6000");
    }
    if (Math.abs(size!) > U32_MAX) fail(`size '${sizeText}' is beyond 4 GiB`, OFFSET_HINT);
    let flags = 0;
    for (const f of flagText.split(":").map((s) => s.trim()).filter(Boolean)) {
      const bit = ownValue(FLAGS, f.toLowerCase());
      if (bit === undefined) fail(`unknown flag '${f}'`, `known: ${Object.keys(FLAGS).join(", ")}`);
      flags |= bit!;
    }
    parsed.push({ name, type: type!, subtype: subtype!, offset, size: size!, flags, line });
  }
  // Place partitions without an offset, and check explicit ones do not go backwards.
  let lastEnd = tableOffset + TABLE_SECTOR;
  const out: Partition[] = parsed.map((p, i) => {
    let offset = p.offset;
    if (offset !== undefined && offset < lastEnd) {
      const m = i === 0
        ? `offset 0x${
          offset.toString(16)
        } of '${p.name}' is inside the partition table's sector; use 0x${
          lastEnd.toString(16)
        } or higher`
        : `'${p.name}' at 0x${
          offset.toString(16)
        } overlaps the previous partition, which ends at 0x${lastEnd.toString(16)}`;
      throw new PartitionTableError(source, m, p.line);
    }
    if (offset === undefined) {
      const align = offsetAlignment(p.type);
      offset = Math.ceil(lastEnd / align) * align;
    }
    const size = p.size < 0 ? -p.size - offset : p.size;
    if (size <= 0 && p.size < 0) {
      throw new PartitionTableError(
        source,
        `'${p.name}' ends at 0x${(-p.size).toString(16)}, before its offset 0x${
          offset.toString(16)
        }`,
        p.line,
      );
    }
    if (offset + size > U32_MAX + 1) {
      throw new PartitionTableError(
        source,
        `'${p.name}' at 0x${offset.toString(16)} ends beyond 4 GiB`,
        p.line,
        OFFSET_HINT,
      );
    }
    lastEnd = offset + size;
    return { ...p, offset, size };
  });
  if (!options.noValidate) {
    validateTable(out, { source, tableOffset, flashSize: options.flashSize });
  }
  return out;
}

/** Flag bits the CSV can name. */
const NAMED_FLAGS = Object.values(FLAGS).reduce((a, b) => a | b, 0);

/** Why `p` cannot be written as a CSV row that reads back the same, or undefined. */
function csvProblem(p: Partition): string | undefined {
  if (p.flags & ~NAMED_FLAGS) {
    return `flag bits 0x${(p.flags & ~NAMED_FLAGS).toString(16)} have no name in CSV`;
  }
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(p.name)) return "its name holds control characters";
  if (p.name !== p.name.trim()) return "its name has leading or trailing spaces";
  if (p.name.includes(",")) return "its name holds a comma";
  if (p.name.startsWith("#")) return "its name starts with '#'";
  if (p.name === "") return "its name is empty";
  return undefined;
}

/**
 * Writes partitions as CSV with a header comment. Throws an ImageFormatError for an entry
 * the CSV cannot carry unchanged (flag bits without a name, names CSV would alter).
 */
export function formatCsv(parts: readonly Partition[]): string {
  parts.forEach((p, i) => {
    const problem = csvProblem(p);
    if (problem) {
      throw new PartitionTableError(
        "partition table",
        `entry ${i} ('${p.name}') cannot be written as CSV: ${problem}`,
        undefined,
        "keep the table in binary form; converting it would change it",
      );
    }
  });
  const lines = ["# ESP-IDF Partition Table", "# Name, Type, SubType, Offset, Size, Flags"];
  for (const p of parts) {
    const flags = Object.entries(FLAGS).filter(([, bit]) => p.flags & bit).map(([n]) => n).join(
      ":",
    );
    lines.push(
      [
        p.name,
        typeName(p.type),
        subtypeName(p.type, p.subtype),
        `0x${p.offset.toString(16)}`,
        formatSize(p.size),
        flags,
      ]
        .join(","),
    );
  }
  return lines.join("\n") + "\n";
}
