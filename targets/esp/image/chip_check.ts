/**
 * Refuses images built for another chip before anything is written: the extended header's
 * chip id must match the chip the image is going to.
 *
 * @module
 */
import {
  DeltaflashError,
  type DeltaflashErrorOptions,
  EXIT_USAGE,
  type Segment,
} from "../../../kernel/mod.ts";
import { parseAppImage } from "./app_image.ts";
import { isValidImage } from "./bootloader.ts";
import { chipByImageId, type EspImageChip, espImageChip } from "./chips.ts";

/** An app or bootloader image was built for a different chip than the one detected. */
export class ImageChipMismatchError extends DeltaflashError {
  constructor(
    /** Where the image came from. */
    readonly source: string,
    /** Flash address of the image. */
    readonly address: number,
    /** Display name of the chip the image is for (or `chip id N`). */
    readonly imageChip: string,
    /** Display name of the connected chip. */
    readonly deviceChip: string,
    options?: DeltaflashErrorOptions,
  ) {
    super(
      "E_IMAGE_CHIP",
      `${source} at 0x${address.toString(16)} is an image for ${imageChip}, ` +
        `but the ${options?.exitCode === EXIT_USAGE ? "target" : "device"} is ${deviceChip}`,
      { hint: `rebuild it for ${deviceChip} or connect a ${imageChip}`, ...options },
    );
  }
}

/** The chip an image's header names, or undefined when `bytes` is not a valid image. */
export function imageChipOf(bytes: Uint8Array): { id: number; chip?: EspImageChip } | undefined {
  if (!isValidImage(bytes)) return undefined;
  const id = parseAppImage(bytes).ext.chipId;
  return { id, chip: chipByImageId(id) };
}

/**
 * Throws {@link ImageChipMismatchError} when any segment holding a valid app/bootloader image
 * names a chip other than `device` (a name like `esp32c3` / `ESP32-C3`, or a table entry).
 * Segments that are not images (partition tables, data) are ignored. With `chosen`, the chip
 * is the target the user chose and nothing is connected yet: a usage error (exit 2) whose
 * hint names the image's target.
 */
export function checkImageChip(
  device: string | EspImageChip,
  segments: readonly Segment[],
  chosen = false,
): void {
  const chip = typeof device === "string" ? espImageChip(device) : device;
  for (const seg of segments) {
    const found = imageChipOf(seg.data);
    if (!found || found.id === chip.imageChipId) continue;
    const imageChip = found.chip?.display ?? `chip id ${found.id}`;
    throw new ImageChipMismatchError(
      seg.source,
      seg.address,
      imageChip,
      chip.display,
      chosen
        ? {
          exitCode: EXIT_USAGE,
          hint: found.chip
            ? `this image is for --target ${found.chip.name}; or rebuild it for ${chip.display}`
            : `rebuild it for ${chip.display}`,
        }
        : undefined,
    );
  }
}
