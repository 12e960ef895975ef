/**
 * ESP32-C2: the loader, eFuse and image facts of one chip (esptool `targets/esp32c2.py`,
 * esptool-js `lib/targets/esp32c2.js`, espflash's chip table).
 *
 * @module
 */
import { field } from "../efuse.ts";
import { MD5_RATE, PADDING, SPI_S2_LAYOUT, wafer } from "./common.ts";
import { defineChip, type EspChipFacts } from "./types.ts";

/** The ESP32-C2. */
export const esp32c2: EspChipFacts = defineChip({
  target: "esp32c2",
  name: "ESP32-C2",
  chipId: 12,
  bootloaderOffset: 0x0,
  loader: {
    magic: [0x6f51306f, 0x7c41a06f, 0x0c21e06f],
    securityInfo: true,
    securityFlags: true,
    // esptool/targets/esp32c2.py: MAC in BLOCK2 (0x60008840) words 0–1; word 1, above the MAC's
    // top two bytes, holds minor bits 16–19, major bits 20–21 and package bits 22–24.
    efuse: wafer(0x60008840, {
      major: [field(0x60008840, 4, 20, 2)],
      minor: [field(0x60008840, 4, 16, 4)],
      package: [field(0x60008840, 4, 22, 3)],
      packageNames: { 0: "ESP32-C2", 1: "ESP32-C2" },
    }),
    defaultFlashSize: 4 << 20,
    spi: { base: 0x60002000, ...SPI_S2_LAYOUT },
    beginEncryptedWord: true,
    romWriteBlock: 0x400,
    md5BytesPerMs: MD5_RATE,
    uartClkdivReg: 0x60000014,
  },
  image: {
    irom: [0x42000000, 0x42400000],
    drom: [0x3c000000, 0x3c400000],
    memoryMap: [
      PADDING,
      [0x3c000000, 0x3c400000, "DROM"],
      [0x3fca0000, 0x3fce0000, "DRAM"],
      [0x3fc88000, 0x3fd00000, "BYTE_ACCESSIBLE"],
      [0x3ff00000, 0x3ff50000, "DROM_MASK"],
      [0x40000000, 0x40090000, "IROM_MASK"],
      [0x42000000, 0x42400000, "IROM"],
      [0x4037c000, 0x403c0000, "IRAM"],
    ],
    flashFreq: { "60m": 0xf, "30m": 0x0, "20m": 0x1, "15m": 0x2 },
    mmuPageSizes: [0x4000, 0x8000, 0x10000],
  },
});
