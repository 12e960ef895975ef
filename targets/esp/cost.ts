/**
 * The ESP cost model: line time at the session's baud rate, SPI NOR erase and program
 * times, device MD5 rate. Used for plan estimates.
 *
 * @module
 */
import type { CostModel } from "../../kernel/mod.ts";
import { type EspChip, FLASH_TIMING, flashWorkMs } from "./chips.ts";

/** The ROM loader's line rate after reset. */
export const ROM_BAUD = 115200;

const programMs = (bytes: number) => bytes / 256 * FLASH_TIMING.pageProgramMs;

/**
 * Cost model for a ROM session at `baud` (link) with W25Q-class flash (device); `bridgeMs` is
 * the USB-serial bridge's latency each way (one USB full-speed frame unless told).
 */
export function espCostModel(chip: EspChip, baud = ROM_BAUD, bridgeMs = 1): CostModel {
  const byteMs = 10 * 1000 / baud;
  return {
    // Deflate typically leaves ~60 % of an app image (reference notes §6).
    transferMs: (bytes) => bytes * 0.6 * byteMs * 1.01,
    eraseMs: (blocks, blockSize) => flashWorkMs(blocks * blockSize) - programMs(blocks * blockSize),
    programMs,
    hashMs: (bytes) => bytes / chip.md5BytesPerMs,
    // One small exchange: the bridge latency there and back plus ~70 bytes of wire.
    roundTripMs: 2 * bridgeMs + 70 * byteMs,
  };
}
