/**
 * `image-info`: what an ESP `.bin` is (app or bootloader image, partition table, whole-flash
 * image) and whether it is intact; with a chip, whether it is for that chip.
 *
 * @module
 */
import { DeltaflashError, ImageFormatError, printable } from "../../../kernel/mod.ts";
import { readPartitionTable, renderPartitionTable } from "../partition/info.ts";
import { looksLikePartitionTable } from "../partition/table.ts";
import type { EspImageChip } from "./chips.ts";
import { type AppImageInfo, appImageInfo, type PartitionTableInfo } from "./info.ts";
import { isMergedImage, type MergedImageInfo, mergedImageInfo } from "./merged_info.ts";

/** An image is not for the chip `image-info --chip` names (exit 1: the check failed). */
export class ImageNotForChipError extends DeltaflashError {
  /** Creates the error for the part of the file at `where`. */
  constructor(where: string, imageChip: string, chip: string) {
    super("E_IMAGE_CHIP", `${where} is an image for ${imageChip}, not ${chip}`, {
      hint: `rebuild it for ${chip}, or flash it with --target for ${imageChip}`,
    });
  }
}

/** What `image-info` can describe. */
export type ImageInfo = AppImageInfo | PartitionTableInfo | MergedImageInfo;

function checkApp(info: AppImageInfo, chip: EspImageChip, where: string): void {
  if (info.chipId === chip.imageChipId) return;
  throw new ImageNotForChipError(where, info.chip ?? `chip id ${info.chipId}`, chip.display);
}

/** Throws {@link ImageNotForChipError} when any image in `info` is for another chip. */
export function checkInfoChip(info: ImageInfo, chip: EspImageChip, source: string): void {
  if (info.kind === "app-image") checkApp(info, chip, source);
  if (info.kind !== "merged-image") return;
  const at = (n: number) => `0x${n.toString(16)}`;
  checkApp(
    info.bootloader.image,
    chip,
    `${source}: the bootloader at ${at(info.bootloader.offset)}`,
  );
  for (const a of info.apps) {
    if (a.image) {
      const name = printable(a.partition.name);
      checkApp(a.image, chip, `${source}: app ${name} at ${at(a.partition.offset)}`);
    }
  }
}

/**
 * `image-info FILE`: an app/bootloader image, a partition table, or a whole-flash image
 * (bootloader + partition table + apps), described. With `chip`, every image in it must be for
 * that chip ({@link ImageNotForChipError} otherwise); the description is never relabelled.
 */
export function imageInfo(
  bytes: Uint8Array,
  options: { chip?: EspImageChip; source?: string } = {},
): ImageInfo {
  const source = options.source ?? "image";
  let info: ImageInfo;
  if (looksLikePartitionTable(bytes)) {
    const t = readPartitionTable(bytes, { source });
    const text = `Partition table (${t.partitions.length} entries${t.md5 ? ", MD5 valid" : ""})\n` +
      renderPartitionTable(t.partitions);
    info = { kind: "partition-table", partitions: t.partitions, text };
  } else if (isMergedImage(bytes)) {
    info = mergedImageInfo(bytes, source);
  } else if (bytes[0] === 0xe9) {
    info = appImageInfo(bytes, source);
  } else {
    throw new ImageFormatError(
      source,
      "neither an ESP app/bootloader image, a partition table nor a whole-flash image",
      {
        hint: "app images start with 0xE9, partition tables with AA 50; a whole-flash image " +
          "has a bootloader at 0x0, 0x1000 or 0x2000 and a partition table at 0x8000",
      },
    );
  }
  if (options.chip) checkInfoChip(info, options.chip, source);
  return info;
}
