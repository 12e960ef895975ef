/**
 * The `partition-table` command as pure functions: read a CSV or binary table, convert it,
 * render it as a text table.
 *
 * @module
 */
import { formatCsv, formatSize, parseCsv } from "./csv.ts";
import {
  decodeTable,
  encodeTable,
  ENTRY_SIZE,
  looksLikePartitionTable,
  type Partition,
  subtypeName,
  typeName,
} from "./table.ts";
import { validateTable } from "./validate.ts";
import { ImageFormatError, printable } from "../../../kernel/mod.ts";

/** A table read from either form. */
export interface ReadTable {
  /** Entries in order. */
  readonly partitions: Partition[];
  /** Which form the input was. */
  readonly from: "binary" | "csv";
  /** For binary input: whether an MD5 entry was present. */
  readonly md5?: boolean;
  /** For binary input: its length. */
  readonly length?: number;
}

/** Options shared by the table functions. */
export interface TableOptions {
  /** Source name for messages. */
  readonly source?: string;
  /** Flash offset of the table (default 0x8000). */
  readonly tableOffset?: number;
  /** Flash size to check partitions against. */
  readonly flashSize?: number;
}

/** Reads a binary table (starts with AA 50) or CSV text, validating either. */
export function readPartitionTable(input: Uint8Array, options: TableOptions = {}): ReadTable {
  const source = options.source ?? "partition table";
  if (looksLikePartitionTable(input)) {
    const t = decodeTable(input, source);
    validateTable(t.partitions, { ...options, source });
    return { partitions: t.partitions, from: "binary", md5: t.md5, length: t.length };
  }
  const text = new TextDecoder().decode(input);
  return { partitions: parseCsv(text, { ...options, source }), from: "csv" };
}

/** Renders partitions as an aligned text table. */
export function renderPartitionTable(parts: readonly Partition[]): string {
  const head = ["Name", "Type", "SubType", "Offset", "Size", "Flags"];
  const body = parts.map((p) => [
    printable(p.name),
    typeName(p.type),
    subtypeName(p.type, p.subtype),
    `0x${p.offset.toString(16)}`,
    `${formatSize(p.size)} (0x${p.size.toString(16)})`,
    [p.flags & 1 ? "encrypted" : "", p.flags & 2 ? "readonly" : ""].filter(Boolean).join(":"),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n") + "\n";
}

/** Arguments of {@link partitionTable}. */
export interface PartitionTableArgs extends TableOptions {
  /** The CSV text or binary bytes. */
  readonly input: Uint8Array;
  /** Convert to this form; default: the other form than the input. */
  readonly to?: "csv" | "binary";
}

/** Result of {@link partitionTable}. */
export interface PartitionTableResult {
  /** The parsed entries. */
  readonly partitions: Partition[];
  /** The converted table (CSV text or binary bytes). */
  readonly output: string | Uint8Array;
  /** Human-readable table. */
  readonly text: string;
}

/**
 * Refuses a binary → CSV conversion whose CSV would not encode back to the same entries
 * (names with bytes after their terminator or not valid UTF-8, entries CSV places otherwise).
 */
function checkCsvRoundTrip(args: PartitionTableArgs, t: ReadTable, csv: string): void {
  const source = args.source ?? "partition table";
  const entries = (t.partitions.length + (t.md5 ? 1 : 0)) * ENTRY_SIZE;
  let back: Uint8Array | undefined;
  try {
    const parts = parseCsv(csv, { ...args, source, noValidate: true });
    back = encodeTable(parts, { md5: t.md5, length: Math.max(t.length ?? 0, entries) });
  } catch {
    back = undefined;
  }
  for (let i = 0; i < t.partitions.length; i++) {
    const at = i * ENTRY_SIZE;
    const same = back !== undefined &&
      back.subarray(at, at + ENTRY_SIZE).every((b, k) => b === args.input[at + k]);
    if (!same) {
      throw new ImageFormatError(
        source,
        `entry ${i} ('${t.partitions[i].name}') would change on the way through CSV`,
        { hint: "keep the table in binary form; converting it would change it" },
      );
    }
  }
}

/** `partition-table FILE [--to-csv|--to-binary]`: parse, validate, convert and render. */
export function partitionTable(args: PartitionTableArgs): PartitionTableResult {
  const t = readPartitionTable(args.input, args);
  const to = args.to ?? (t.from === "csv" ? "binary" : "csv");
  const output = to === "csv" ? formatCsv(t.partitions) : encodeTable(t.partitions);
  if (t.from === "binary" && to === "csv") checkCsvRoundTrip(args, t, output as string);
  return { partitions: t.partitions, output, text: renderPartitionTable(t.partitions) };
}
