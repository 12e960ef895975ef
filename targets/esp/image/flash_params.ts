/**
 * Flash mode, size and frequency as the image header encodes them (byte 2 = mode,
 * byte 3 = size << 4 | frequency). Source: esptool `FLASH_MODES`, `FLASH_SIZES`, per-chip
 * `FLASH_FREQUENCY` (see chips.ts).
 *
 * @module
 */
import { UsageError } from "../../../kernel/mod.ts";
import type { EspImageChip } from "./chips.ts";

/** Flash mode name → header byte 2. */
export const FLASH_MODES: Readonly<Record<string, number>> = { qio: 0, qout: 1, dio: 2, dout: 3 };

/** Flash size name → header byte 3 high nibble (already shifted). */
export const FLASH_SIZES: Readonly<Record<string, number>> = {
  "1MB": 0x00,
  "2MB": 0x10,
  "4MB": 0x20,
  "8MB": 0x30,
  "16MB": 0x40,
  "32MB": 0x50,
  "64MB": 0x60,
  "128MB": 0x70,
};

/** `keep` leaves the header value as it is. */
export type Keep = "keep";

/** Flash settings to put in an image header; each may be `keep`. */
export interface FlashParams {
  /** `qio`, `qout`, `dio`, `dout` or `keep`. */
  readonly flashMode?: string;
  /** `1MB` … `128MB` (also `4M`, `4mb`) or `keep`. */
  readonly flashSize?: string;
  /** Chip-specific, e.g. `40m`, `80m` (also `80MHz`), or `keep`. */
  readonly flashFreq?: string;
}

const keys = (o: Readonly<Record<string, number>>) => Object.keys(o).join(", ");

/** Header byte for a flash mode name. */
export function flashModeCode(mode: string): number {
  const code = FLASH_MODES[mode.toLowerCase()];
  if (code === undefined) {
    throw new UsageError(`unknown flash mode '${mode}'`, { hint: `use ${keys(FLASH_MODES)}` });
  }
  return code;
}

/** High-nibble value (shifted) for a flash size name. */
export function flashSizeCode(size: string): number {
  const norm = size.toUpperCase().replace(/B?$/, "B");
  const code = FLASH_SIZES[norm];
  if (code === undefined) {
    throw new UsageError(`unknown flash size '${size}'`, { hint: `use ${keys(FLASH_SIZES)}` });
  }
  return code;
}

/** Low-nibble value for a flash frequency name on `chip`. */
export function flashFreqCode(chip: EspImageChip, freq: string): number {
  const norm = freq.toLowerCase().replace(/mhz$/, "m").replace(/^(\d+)$/, "$1m");
  const code = chip.flashFreq[norm];
  if (code === undefined) {
    throw new UsageError(`flash frequency '${freq}' is not valid for ${chip.display}`, {
      hint: `use ${keys(chip.flashFreq)}`,
    });
  }
  return code;
}

/** Name of a flash mode byte (or `0x..` when unknown). */
export function flashModeName(code: number): string {
  return Object.entries(FLASH_MODES).find(([, v]) => v === code)?.[0] ??
    `0x${code.toString(16)}`;
}

/** Name of a size nibble taken from header byte 3. */
export function flashSizeName(byte3: number): string {
  return Object.entries(FLASH_SIZES).find(([, v]) => v === (byte3 & 0xf0))?.[0] ??
    `0x${(byte3 >> 4).toString(16)}`;
}

/** Name(s) of a frequency nibble on `chip`, e.g. `80m` or `80m/40m`. */
export function flashFreqName(chip: EspImageChip | undefined, byte3: number): string {
  const names = Object.entries(chip?.flashFreq ?? {}).filter(([, v]) => v === (byte3 & 0xf));
  return names.length ? names.map(([k]) => k).join("/") : `0x${(byte3 & 0xf).toString(16)}`;
}

const isKeep = (v: string | undefined) => v === undefined || v.toLowerCase() === "keep";

/** True when every setting is `keep` (or absent). */
export function keepsAll(params: FlashParams): boolean {
  return isKeep(params.flashMode) && isKeep(params.flashSize) && isKeep(params.flashFreq);
}

/**
 * Header bytes 2 and 3 after applying `params` to the current `mode` and `sizeFreq` bytes.
 * `keep` (or absent) leaves a field unchanged.
 */
export function applyFlashParams(
  chip: EspImageChip,
  mode: number,
  sizeFreq: number,
  params: FlashParams,
): [number, number] {
  const m = isKeep(params.flashMode) ? mode : flashModeCode(params.flashMode!);
  const size = isKeep(params.flashSize) ? sizeFreq & 0xf0 : flashSizeCode(params.flashSize!);
  const freq = isKeep(params.flashFreq) ? sizeFreq & 0x0f : flashFreqCode(chip, params.flashFreq!);
  return [m, size | freq];
}
