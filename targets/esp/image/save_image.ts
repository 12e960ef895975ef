/**
 * `save-image`: ELF → app image, or with `merge` one flash image of bootloader + partition
 * table + app with 0xFF between them (espflash `save-image --merge`).
 *
 * @module
 */
import { ImageRangeError, UsageError } from "../../../kernel/mod.ts";
import { appPartition, defaultPartitionTable } from "../partition/default.ts";
import { readPartitionTable } from "../partition/info.ts";
import { DEFAULT_TABLE_OFFSET, encodeTable } from "../partition/table.ts";
import { patchFlashParams } from "./bootloader.ts";
import { checkImageChip } from "./chip_check.ts";
import { espImageChip } from "./chips.ts";
import { DEFAULT_FLASH, elfToImage, type ElfToImageOptions } from "./elf2image.ts";
import { FLASH_SIZES, flashSizeCode } from "./flash_params.ts";

/** Arguments of {@link saveImage}. */
export interface SaveImageArgs extends Omit<ElfToImageOptions, "chip"> {
  /** The ELF file's bytes. */
  readonly elf: Uint8Array;
  /** Chip name, e.g. `esp32c3`. */
  readonly chip: string;
  /** Produce one merged flash image starting at address 0. */
  readonly merge?: boolean;
  /** Second-stage bootloader image (required with `merge`). */
  readonly bootloader?: Uint8Array;
  /** Partition table, CSV text or binary (default: the single-app table). */
  readonly partitionTable?: Uint8Array;
  /** Flash offset of the partition table (default 0x8000). */
  readonly partitionTableOffset?: number;
  /** App partition to place the app in (default: factory, else the first app). */
  readonly targetAppPartition?: string;
  /** With `merge`: fill with 0xFF up to the flash size. */
  readonly padToFlashSize?: boolean;
}

/** Bytes of a flash size name (`4MB` → 0x400000). */
export function flashSizeBytes(name: string): number {
  flashSizeCode(name); // validates
  const norm = name.toUpperCase().replace(/B?$/, "B");
  return Number(norm.replace("MB", "")) * 0x100000;
}

/** Largest factory partition espflash's default table uses (`16,384,000` bytes). */
const MAX_DEFAULT_APP = 16_384_000;

/** Builds the app image, or the merged flash image with `merge`. */
export function saveImage(args: SaveImageArgs): Uint8Array {
  const chip = espImageChip(args.chip);
  const source = args.source ?? "elf";
  const app = elfToImage(args.elf, { ...args, chip, source });
  if (!args.merge) return app;
  if (!args.bootloader) {
    throw new UsageError("--merge needs a bootloader image", {
      hint: "pass --bootloader build/bootloader/bootloader.bin",
    });
  }
  const size = args.flashSize && args.flashSize !== "keep"
    ? args.flashSize
    : DEFAULT_FLASH.flashSize;
  const flashBytes = flashSizeBytes(size);
  const tableOffset = args.partitionTableOffset ?? DEFAULT_TABLE_OFFSET;
  const parts = args.partitionTable
    ? readPartitionTable(args.partitionTable, { source: "partition table", tableOffset }).partitions
    : defaultPartitionTable(Math.min(flashBytes - 0x10000, MAX_DEFAULT_APP));
  const target = appPartition(parts, args.targetAppPartition);
  if (!target || target.type !== 0) {
    throw new UsageError(
      args.targetAppPartition
        ? `no app partition named '${args.targetAppPartition}'`
        : "the partition table has no app partition",
    );
  }
  if (app.length > target.size) {
    throw new ImageRangeError(
      `app image (${app.length} bytes) does not fit partition '${target.name}' (${target.size} bytes)`,
      { hint: "use a partition table with a larger app partition" },
    );
  }
  checkImageChip(chip, [{
    address: chip.bootloaderOffset,
    data: args.bootloader,
    source: "bootloader",
  }]);
  const boot = patchFlashParams(chip, args.bootloader, {
    flashMode: args.flashMode && args.flashMode !== "keep"
      ? args.flashMode
      : DEFAULT_FLASH.flashMode,
    flashSize: size,
    // Same frequency as the app: the given one, else the chip's default (code 0).
    flashFreq: args.flashFreq && args.flashFreq !== "keep"
      ? args.flashFreq
      : Object.keys(chip.flashFreq).find((k) => chip.flashFreq[k] === 0),
  }).bytes;
  if (chip.bootloaderOffset + boot.length > tableOffset) {
    throw new ImageRangeError(
      `bootloader (${boot.length} bytes at 0x${
        chip.bootloaderOffset.toString(16)
      }) runs into the ` +
        `partition table at 0x${tableOffset.toString(16)}`,
    );
  }
  const table = encodeTable(parts);
  const end = target.offset + app.length;
  if (end > flashBytes) {
    throw new ImageRangeError(`merged image ends at 0x${end.toString(16)}, past the ${size} flash`);
  }
  const out = new Uint8Array(args.padToFlashSize ? flashBytes : end).fill(0xff);
  out.set(boot, chip.bootloaderOffset);
  out.set(table, tableOffset);
  out.set(app, target.offset);
  return out;
}

/** Flash size names accepted by {@link saveImage}. */
export const SAVE_IMAGE_FLASH_SIZES: readonly string[] = Object.keys(FLASH_SIZES);
