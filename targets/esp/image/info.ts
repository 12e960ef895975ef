/**
 * `image-info`: what an ESP `.bin` is and whether it is intact, as data and as text.
 * Partition tables are recognised and described as such.
 *
 * @module
 */
import { ImageFormatError, printable } from "../../../kernel/mod.ts";
import { readPartitionTable, renderPartitionTable } from "../partition/info.ts";
import { looksLikePartitionTable, type Partition } from "../partition/table.ts";
import { checkAppImage, type EspAppImage, hashedLength, parseAppImage } from "./app_image.ts";
import { chipByImageId, type EspImageChip, isFlashMapped, memoryKinds } from "./chips.ts";
import { flashFreqName, flashModeName, flashSizeName } from "./flash_params.ts";

/** One segment as reported. */
export interface SegmentInfo {
  /** Load address. */
  readonly address: number;
  /** Data length. */
  readonly length: number;
  /** Offset of the segment header in the file. */
  readonly fileOffset: number;
  /** Memory kinds of the address on the image's chip (e.g. `IROM`, `DRAM`, `PADDING`). */
  readonly memory: readonly string[];
  /** Mapped from flash by the MMU. */
  readonly flashMapped: boolean;
}

/** `esp_app_desc_t` fields, when the first segment starts with one. */
export interface AppDescInfo {
  readonly version: string;
  readonly projectName: string;
  readonly time: string;
  readonly date: string;
  readonly idfVersion: string;
  /** Hex SHA-256 of the ELF the image was built from. */
  readonly elfSha256: string;
}

/** Description of an app/bootloader image. */
export interface AppImageInfo {
  readonly kind: "app-image";
  readonly chip?: string;
  readonly chipId: number;
  readonly entry: number;
  readonly flashMode: string;
  readonly flashSize: string;
  readonly flashFreq: string;
  readonly minRevFull: number;
  readonly maxRevFull: number;
  readonly segments: readonly SegmentInfo[];
  readonly checksum: {
    readonly stored: number;
    readonly calculated: number;
    readonly valid: boolean;
  };
  /** Present when a SHA-256 is appended. */
  readonly hash?: { readonly stored: string; readonly calculated: string; readonly valid: boolean };
  /** Bytes after the checksum/hash (signature blocks, fill of a merged file). */
  readonly trailerLength: number;
  readonly appDesc?: AppDescInfo;
  /** Human-readable rendering. */
  readonly text: string;
}

/** Description of a partition table binary (or CSV). */
export interface PartitionTableInfo {
  readonly kind: "partition-table";
  readonly partitions: readonly Partition[];
  readonly text: string;
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const h = (n: number, w = 8) => `0x${n.toString(16).padStart(w, "0")}`;

function appDesc(image: EspAppImage): AppDescInfo | undefined {
  const d = image.segments[0]?.data;
  if (!d || d.length < 176) return undefined;
  if (new DataView(d.buffer, d.byteOffset).getUint32(0, true) !== 0xabcd5432) return undefined;
  const str = (o: number, n: number) => {
    const s = d.subarray(o, o + n);
    const end = s.indexOf(0);
    return new TextDecoder().decode(s.subarray(0, end < 0 ? n : end));
  };
  return {
    version: str(16, 32),
    projectName: str(48, 32),
    time: str(80, 16),
    date: str(96, 16),
    idfVersion: str(112, 32),
    elfSha256: hex(d.subarray(144, 176)),
  };
}

/** Describes an app/bootloader image; `chip` overrides the one named by the header. */
export function appImageInfo(
  bytes: Uint8Array,
  chip?: EspImageChip,
  source = "image",
): AppImageInfo {
  const image = parseAppImage(bytes, source);
  const check = checkAppImage(image, bytes);
  const c = chip ?? chipByImageId(image.ext.chipId);
  const segments = image.segments.map((s) => ({
    address: s.address,
    length: s.data.length,
    fileOffset: s.fileOffset ?? 0,
    memory: c ? memoryKinds(c, s.address) : [],
    flashMapped: c ? isFlashMapped(c, s.address) : false,
  }));
  const info = {
    kind: "app-image" as const,
    chip: c?.display,
    chipId: image.ext.chipId,
    entry: image.entry,
    flashMode: flashModeName(image.flashMode),
    flashSize: flashSizeName(image.flashSizeFreq),
    flashFreq: flashFreqName(c, image.flashSizeFreq),
    minRevFull: image.ext.minRevFull,
    maxRevFull: image.ext.maxRevFull,
    segments,
    checksum: {
      stored: image.checksum,
      calculated: check.checksumCalculated,
      valid: check.checksumValid,
    },
    hash: image.hash
      ? { stored: hex(image.hash), calculated: hex(check.hashCalculated!), valid: check.hashValid! }
      : undefined,
    trailerLength: image.trailer.length,
    appDesc: appDesc(image),
  };
  return { ...info, text: renderAppInfo(info, hashedLength(image)) };
}

function renderAppInfo(i: Omit<AppImageInfo, "text">, hashed: number): string {
  const ok = (v: boolean) => (v ? "valid" : "INVALID");
  const lines = [
    `ESP image for ${i.chip ?? "unknown chip"} (chip id ${i.chipId})`,
    `Entry point: ${h(i.entry)}`,
    `Flash: mode ${i.flashMode}, size ${i.flashSize}, frequency ${i.flashFreq}`,
    `Chip revision: ${i.minRevFull} to ${i.maxRevFull}`,
    `Segments: ${i.segments.length}`,
    ...i.segments.map((s, n) =>
      `  ${String(n).padStart(2)}: ${h(s.address)}  len ${h(s.length, 5)}  at ${
        h(s.fileOffset, 6)
      }  ${s.memory.join(", ") || "-"}`
    ),
    `Checksum: ${h(i.checksum.stored, 2)} (${ok(i.checksum.valid)}${
      i.checksum.valid ? "" : `, calculated ${h(i.checksum.calculated, 2)}`
    })`,
    i.hash
      ? `SHA-256 of ${hashed} bytes: ${i.hash.stored} (${ok(i.hash.valid)})`
      : "SHA-256: not appended",
  ];
  if (i.trailerLength) lines.push(`Trailing bytes after the image: ${i.trailerLength}`);
  if (i.appDesc) {
    const d = i.appDesc;
    lines.push(
      printable(
        `App: ${d.projectName} ${d.version}, ESP-IDF ${d.idfVersion}, built ${d.date} ${d.time}`,
      ),
      `ELF SHA-256: ${d.elfSha256}`,
    );
  }
  return lines.join("\n") + "\n";
}

/** `image-info FILE`: an app/bootloader image or a partition table, described. */
export function imageInfo(
  bytes: Uint8Array,
  options: { chip?: EspImageChip; source?: string } = {},
): AppImageInfo | PartitionTableInfo {
  const source = options.source ?? "image";
  if (looksLikePartitionTable(bytes)) {
    const t = readPartitionTable(bytes, { source });
    const text = `Partition table (${t.partitions.length} entries${t.md5 ? ", MD5 valid" : ""})\n` +
      renderPartitionTable(t.partitions);
    return { kind: "partition-table", partitions: t.partitions, text };
  }
  if (bytes[0] !== 0xe9) {
    throw new ImageFormatError(
      source,
      "neither an ESP app/bootloader image nor a partition table",
      {
        hint: "app images start with 0xE9, partition tables with AA 50",
      },
    );
  }
  return appImageInfo(bytes, options.chip, source);
}
