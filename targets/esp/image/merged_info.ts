/**
 * Whole-flash images (`save-image --merge`, ESP-IDF and ESPHome "factory" images): a bootloader,
 * a partition table at 0x8000 and the apps the table places, described part by part.
 *
 * @module
 */
import { printable } from "../../../kernel/mod.ts";
import { decodeTable, DEFAULT_TABLE_OFFSET, type Partition } from "../partition/table.ts";
import { renderPartitionTable } from "../partition/info.ts";
import { ESP_IMAGE_MAGIC, parseAppImage } from "./app_image.ts";
import { type AppImageInfo, appImageInfo } from "./info.ts";

/** Flash offsets a second-stage bootloader is loaded from, by chip (0x0, 0x1000, 0x2000). */
export const BOOTLOADER_OFFSETS: readonly number[] = [0x0, 0x1000, 0x2000];

/** An app partition of a whole-flash image and the image in it, if any. */
export interface MergedApp {
  /** The partition table entry. */
  readonly partition: Partition;
  /** The image it holds; absent when it holds none (erased, or beyond the file). */
  readonly image?: AppImageInfo;
  /** Why there is no image. */
  readonly empty?: "erased" | "not an image" | "beyond the file";
}

/** Description of a whole-flash image. */
export interface MergedImageInfo {
  readonly kind: "merged-image";
  /** Display name of the chip the bootloader is for. */
  readonly chip?: string;
  /** File length. */
  readonly size: number;
  /** The second-stage bootloader and its offset. */
  readonly bootloader: { readonly offset: number; readonly image: AppImageInfo };
  /** The partition table and its offset. */
  readonly partitionTable: { readonly offset: number; readonly partitions: readonly Partition[] };
  /** One entry per app partition. */
  readonly apps: readonly MergedApp[];
  /** Human-readable rendering. */
  readonly text: string;
}

function bootloaderOffset(bytes: Uint8Array): number | undefined {
  return BOOTLOADER_OFFSETS.find((o) => o < DEFAULT_TABLE_OFFSET && bytes[o] === ESP_IMAGE_MAGIC);
}

/** True when `bytes` hold a bootloader at a bootloader offset and a partition table at 0x8000. */
export function isMergedImage(bytes: Uint8Array): boolean {
  const t = DEFAULT_TABLE_OFFSET;
  return bytes.length > t + 32 && bytes[t] === 0xaa && bytes[t + 1] === 0x50 &&
    bootloaderOffset(bytes) !== undefined;
}

const h = (n: number) => `0x${n.toString(16)}`;

/** The image at the start of a partition without the erased fill after it. */
function withoutFill(part: Uint8Array): Uint8Array {
  try {
    const trailer = parseAppImage(part).trailer;
    return trailer.every((b) => b === 0xff) ? part.subarray(0, part.length - trailer.length) : part;
  } catch {
    return part; // appImageInfo reports what is wrong with it
  }
}

function appIn(bytes: Uint8Array, p: Partition, source: string): MergedApp {
  if (p.offset >= bytes.length) return { partition: p, empty: "beyond the file" };
  const part = bytes.subarray(p.offset, Math.min(bytes.length, p.offset + p.size));
  if (part[0] !== ESP_IMAGE_MAGIC) {
    return { partition: p, empty: part.every((b) => b === 0xff) ? "erased" : "not an image" };
  }
  const where = `${source} (${printable(p.name)} at ${h(p.offset)})`;
  return { partition: p, image: appImageInfo(withoutFill(part), where) };
}

const indent = (text: string) => text.trimEnd().split("\n").map((l) => `  ${l}`).join("\n") + "\n";

/** Describes a whole-flash image: bootloader, partition table, then each app partition. */
export function mergedImageInfo(bytes: Uint8Array, source = "image"): MergedImageInfo {
  const bootAt = bootloaderOffset(bytes)!;
  const table = decodeTable(
    bytes.subarray(DEFAULT_TABLE_OFFSET, DEFAULT_TABLE_OFFSET + 0xc00),
    `${source} (partition table at ${h(DEFAULT_TABLE_OFFSET)})`,
  );
  const bootloader = appImageInfo(
    withoutFill(bytes.subarray(bootAt, DEFAULT_TABLE_OFFSET)),
    `${source} (bootloader at ${h(bootAt)})`,
  );
  const apps = table.partitions.filter((p) => p.type === 0).map((p) => appIn(bytes, p, source));
  const lines = [
    `Whole-flash image for ${bootloader.chip ?? "unknown chip"} (${bytes.length} bytes)`,
    "",
    `Bootloader at ${h(bootAt)}:`,
    indent(bootloader.text),
    `Partition table at ${h(DEFAULT_TABLE_OFFSET)} (${table.partitions.length} entries${
      table.md5 ? ", MD5 valid" : ""
    }):`,
    indent(renderPartitionTable(table.partitions)),
    ...apps.flatMap((a) => [
      `App partition ${printable(a.partition.name)} at ${h(a.partition.offset)}:`,
      a.image ? indent(a.image.text) : `  ${a.empty}\n`,
    ]),
  ];
  return {
    kind: "merged-image",
    chip: bootloader.chip,
    size: bytes.length,
    bootloader: { offset: bootAt, image: bootloader },
    partitionTable: { offset: DEFAULT_TABLE_OFFSET, partitions: table.partitions },
    apps,
    text: lines.join("\n").replace(/\n{3,}/g, "\n\n"),
  };
}
