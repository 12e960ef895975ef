/**
 * What esptool `write_flash` and espflash do to a bootloader before writing it: at the chip's
 * bootloader offset, a valid image gets the requested flash mode/size/frequency in header
 * bytes 2–3 and, when it carries an appended SHA-256, a freshly computed one. The patched
 * bytes are what will be in flash, so they are what gets hashed and compared.
 *
 * Facts from esptool `cmds._update_image_flash_params`: only at exactly the bootloader
 * offset; all-`keep` leaves the file alone; a file that is not a valid image is left alone;
 * bytes after the hash (e.g. the rest of a merged file) are kept.
 *
 * @module
 */
import { type Segment, UsageError } from "../../../kernel/mod.ts";
import {
  checkAppImage,
  ESP_IMAGE_MAGIC,
  HASH_APPENDED_OFFSET,
  hashedLength,
  parseAppImage,
  sha256,
} from "./app_image.ts";
import { type EspImageChip, espImageChip } from "./chips.ts";
import { applyFlashParams, FLASH_SIZES, type FlashParams, keepsAll } from "./flash_params.ts";

/** Outcome of {@link patchFlashParams}. */
export interface FlashParamsPatch {
  /** The bytes to write (the input itself when nothing changed). */
  readonly bytes: Uint8Array;
  /** Header bytes 2–3 changed. */
  readonly patched: boolean;
  /** The appended SHA-256 was recomputed. */
  readonly rehashed: boolean;
  /** Why nothing was done, when the input was left alone for a reason worth telling. */
  readonly note?: string;
}

/** Options of {@link prepareEspRegions}. */
export interface EspRegionOptions extends FlashParams {
  /** Detected flash size in bytes, used when `flashSize` is `detect`. */
  readonly detectedFlashSize?: number;
}

/** Flash size name for a byte count (`4MB` for 0x400000). */
export function flashSizeNameOf(bytes: number): string {
  const name = `${bytes / 0x100000}MB`;
  if (!(name in FLASH_SIZES)) {
    throw new UsageError(`flash size ${bytes} bytes has no image header code`, {
      hint: `use one of ${Object.keys(FLASH_SIZES).join(", ")}`,
    });
  }
  return name;
}

/** Resolves `flashSize: detect` to the detected size. */
export function resolveFlashParams(options: EspRegionOptions): FlashParams {
  if (options.flashSize?.toLowerCase() !== "detect") return options;
  if (options.detectedFlashSize === undefined) {
    throw new UsageError("flash size 'detect' needs a connected device", {
      hint: "give a size such as --flash-size 4MB, or keep",
    });
  }
  return { ...options, flashSize: flashSizeNameOf(options.detectedFlashSize) };
}

/** Applies flash settings to a bootloader image, recomputing its SHA-256 when it has one. */
export function patchFlashParams(
  chip: EspImageChip,
  bytes: Uint8Array,
  params: FlashParams,
): FlashParamsPatch {
  const same = { bytes, patched: false, rehashed: false };
  if (bytes.length < 8 || keepsAll(params)) return same;
  if (bytes[0] !== ESP_IMAGE_MAGIC) {
    return { ...same, note: "does not look like an image; flash settings not changed" };
  }
  let image;
  try {
    image = parseAppImage(bytes);
  } catch {
    return { ...same, note: `is not a valid ${chip.display} image; flash settings not changed` };
  }
  const [mode, sizeFreq] = applyFlashParams(chip, bytes[2], bytes[3], params);
  const out = bytes.slice();
  out[2] = mode;
  out[3] = sizeFreq;
  const patched = mode !== bytes[2] || sizeFreq !== bytes[3];
  const hasHash = bytes[HASH_APPENDED_OFFSET] === 1;
  if (hasHash) {
    const n = hashedLength(image);
    out.set(sha256(out.subarray(0, n)), n);
  }
  return { bytes: out, patched, rehashed: hasHash };
}

/**
 * The regions to flash for `chip`: each input as is, except an image placed at the chip's
 * bootloader offset, which gets the flash settings (esptool's `--flash_mode/--flash_size/
 * --flash_freq`, `keep` by default) and a recomputed SHA-256. Pure; call it from the ESP
 * target's loadImage stage so hashing and comparing see the patched bytes.
 */
export function prepareEspRegions(
  chip: EspImageChip | string,
  inputs: readonly Segment[],
  options: EspRegionOptions = {},
): Segment[] {
  const c = typeof chip === "string" ? espImageChip(chip) : chip;
  const params = resolveFlashParams(options);
  return inputs.map((seg) => {
    if (seg.address !== c.bootloaderOffset) return seg;
    const r = patchFlashParams(c, seg.data, params);
    if (r.bytes === seg.data) return seg;
    return { address: seg.address, data: r.bytes, source: seg.source };
  });
}

/** True when the segment holds an image whose checksum and hash check out. */
export function isValidImage(bytes: Uint8Array): boolean {
  if (bytes[0] !== ESP_IMAGE_MAGIC) return false;
  try {
    const check = checkAppImage(parseAppImage(bytes), bytes);
    return check.checksumValid && check.hashValid !== false;
  } catch {
    return false;
  }
}
