/**
 * The ESP32 family as the loader sees it: the chip table (a view of the chip files in
 * `chips/`, one a chip), lookups by id and magic, and family-wide flash facts. Values are from
 * esptool's and esptool-js 0.7.0's target files and espflash's chip table (see the reference
 * notes, §2.3/§2.6).
 *
 * @module
 */

import { ESP_CHIP_FILES, type EspChip } from "./chips/mod.ts";

export type { EspChip, SpiRegisters } from "./chips/mod.ts";

/** Address of the magic register read when GET_SECURITY_INFO is missing. */
export const MAGIC_REG = 0x40001000;

/** Flash erase unit: every ESP32-family flash erases 4 KiB sectors. */
export const SECTOR = 0x1000;
/** Erase block: loaders erase aligned 64 KiB blocks with one command where a write covers one. */
export const ERASE_BLOCK = 0x10000;

/** Every chip the loader supports, keyed by target name (from the chip files). */
export const CHIPS: Readonly<Record<string, EspChip>> = Object.fromEntries(
  ESP_CHIP_FILES.flatMap((c) => c.loader ? [[c.loader.target, c.loader]] : []),
);

/** The chip with this GET_SECURITY_INFO chip id. */
export function chipById(id: number): EspChip | undefined {
  return Object.values(CHIPS).find((c) => c.chipId === id);
}

/** The chip whose magic register holds this value. */
export function chipByMagic(magic: number): EspChip | undefined {
  return Object.values(CHIPS).find((c) => c.magic.includes(magic >>> 0));
}

/** Flash size from the JEDEC RDID capacity byte, per esptool's DETECTED_FLASH_SIZES. */
export function flashSizeFromId(jedecId: number): number | undefined {
  const b = (jedecId >> 16) & 0xff;
  if (b >= 0x12 && b <= 0x1c) return 2 ** b;
  if (b >= 0x20 && b <= 0x22) return 2 ** (b - 6);
  if (b >= 0x32 && b <= 0x3a) return 2 ** (b - 0x20);
  return undefined;
}

/** Crystal frequency in MHz estimated from the ROM's UART divider at `baud`. */
export function crystalMhz(clkdiv: number, baud: number): number {
  return baud * (clkdiv & 0xfffff) / 1e6;
}
