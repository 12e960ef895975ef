/**
 * Where ESP images may go. Refuses (a usage error; `--force` overrides), while loading and
 * before any port is opened: an image not on a 4 KiB sector boundary; anything over the
 * bootloader or partition-table region that is not that kind of image (0xE9 header at the
 * bootloader offset, AA 50 entries at 0x8000, or a whole-flash image holding both); an image
 * that starts inside a partition of the table being flashed but does not fit in it. Warns, as
 * esptool does, when data at an image offset (bootloader, app partitions) is not an image.
 *
 * `app.bin@10000` is decimal (0x2710); the refusal then suggests 0x10000.
 *
 * @module
 */
import { ImagePlacementError, type Logger, printable, type Segment } from "../../../kernel/mod.ts";
import { formatSize } from "../partition/csv.ts";
import {
  decodeTable,
  DEFAULT_TABLE_OFFSET,
  type Partition,
  TABLE_SECTOR,
} from "../partition/table.ts";
import { ESP_IMAGE_MAGIC } from "./app_image.ts";
import type { EspImageChip } from "./chips.ts";

/** Flash erase sector: images start on one. */
const SECTOR = 0x1000;

const h = (n: number) => `0x${n.toString(16)}`;

/** An image placed at an address by the user (`file@addr`, or an ELF at the app offset). */
export interface PlacedImage {
  /** The file. */
  readonly source: string;
  /** Flash address. */
  readonly address: number;
  /** Its bytes as they will be written. */
  readonly data: Uint8Array;
}

/** What an address typed without `0x` would have meant in hex, when that is plausible. */
function decimalHint(address: number): string {
  const asHex = parseInt(String(address), 16);
  if (String(address).length < 4 || asHex % SECTOR !== 0) return "";
  return `; ${address} without 0x is decimal (${h(address)}): did you mean ${h(asHex)}?`;
}

const byteAt = (img: PlacedImage, address: number) =>
  address >= img.address && address < img.address + img.data.length
    ? img.data[address - img.address]
    : undefined;

const isTableAt = (img: PlacedImage, address: number) =>
  byteAt(img, address) === 0xaa && byteAt(img, address + 1) === 0x50;

/** The partition table among the images, if one is flashed at 0x8000 (alone or merged). */
function flashedTable(images: readonly PlacedImage[]): Partition[] | undefined {
  const t = DEFAULT_TABLE_OFFSET;
  const img = images.find((i) => isTableAt(i, t));
  if (!img) return undefined;
  try {
    return decodeTable(img.data.subarray(t - img.address, t - img.address + 0xc00)).partitions;
  } catch {
    return undefined; // the table's own checks report it when it is loaded as a table
  }
}

/** Why `img` may not be where it is, or undefined when it may. */
function misplacement(
  chip: EspImageChip,
  img: PlacedImage,
  table: readonly Partition[] | undefined,
): string | undefined {
  const end = img.address + img.data.length;
  const where = `${img.source}@${h(img.address)}`;
  if (img.address % SECTOR !== 0) {
    return `${where} does not start on a 4 KiB flash sector${decimalHint(img.address)}`;
  }
  const boot = chip.bootloaderOffset;
  const reserved = { start: boot, end: DEFAULT_TABLE_OFFSET + TABLE_SECTOR };
  const whole = byteAt(img, boot) === ESP_IMAGE_MAGIC && isTableAt(img, DEFAULT_TABLE_OFFSET);
  const bootloader = img.address === boot && img.data[0] === ESP_IMAGE_MAGIC;
  const partitions = img.address === DEFAULT_TABLE_OFFSET && isTableAt(img, img.address) &&
    end <= reserved.end;
  if (img.address < reserved.end && end > reserved.start && !whole && !bootloader && !partitions) {
    const what = img.address === DEFAULT_TABLE_OFFSET
      ? "a partition table (no AA 50 entry)"
      : img.address === boot
      ? "a bootloader (no 0xE9 image header)"
      : "the bootloader or partition table written there";
    return `${where} overlaps the bootloader and partition table (${h(reserved.start)}–${
      h(reserved.end)
    }) but is not ${what}${decimalHint(img.address)}`;
  }
  if (!table || whole || img.address < reserved.end) return undefined;
  const p = table.find((x) => img.address >= x.offset && img.address < x.offset + x.size);
  if (p && end > p.offset + p.size) {
    return `${where} (${img.data.length} bytes) does not fit partition ${printable(p.name)} (${
      h(p.offset)
    }–${h(p.offset + p.size)}, ${formatSize(p.size)})`;
  }
  return undefined;
}

/**
 * Checks where each placed image goes (see the module comment). Throws
 * {@link ImagePlacementError} for the first misplaced image unless `force`; always logs
 * esptool's warning for data at an image offset that is not an image.
 */
export function checkPlacement(
  chip: EspImageChip,
  images: readonly PlacedImage[],
  options: { readonly force?: boolean; readonly log?: Logger } = {},
): void {
  const table = flashedTable(images);
  if (!options.force) {
    for (const img of images) {
      const why = misplacement(chip, img, table);
      if (why) {
        throw new ImagePlacementError(why, {
          hint: "images go at the offsets your build prints (bootloader " +
            `${h(chip.bootloaderOffset)}, partition table 0x8000, app 0x10000); ` +
            "--force writes it there anyway",
        });
      }
    }
  }
  const imageOffsets = [
    chip.bootloaderOffset,
    ...(table ?? [{ type: 0, offset: 0x10000 }]).filter((p) => p.type === 0).map((p) => p.offset),
  ];
  for (const img of images) {
    if (imageOffsets.includes(img.address) && img.data[0] !== ESP_IMAGE_MAGIC) {
      options.log?.warn(
        `${img.source} at ${h(img.address)} doesn't look like an image file (no 0xE9 header)`,
      );
    }
  }
}

/**
 * The placed images of a loaded image: segments that start where an input was placed, and a
 * partition table a format put at 0x8000 (a CSV).
 */
export function placedImages(
  segments: readonly Segment[],
  inputs: readonly { readonly file: string; readonly address?: number }[],
): PlacedImage[] {
  return segments.filter((s) =>
    inputs.some((i) =>
      i.file === s.source &&
      (i.address === s.address || (i.address === undefined && s.address === DEFAULT_TABLE_OFFSET))
    )
  );
}
