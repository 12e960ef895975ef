/**
 * ESP32-C6: the loader, eFuse and image facts of one chip (esptool `targets/esp32c6.py`,
 * esptool-js `lib/targets/esp32c6.js`, espflash's chip table).
 *
 * @module
 */
import { field } from "../efuse.ts";
import { C6_H2_MEMORY_MAP, MD5_RATE, PAGES_8_TO_64K, SPI_S2_LAYOUT, wafer } from "./common.ts";
import { defineChip, type EspChipFacts } from "./types.ts";

/** The ESP32-C6. */
export const esp32c6: EspChipFacts = defineChip({
  target: "esp32c6",
  name: "ESP32-C6",
  chipId: 13,
  bootloaderOffset: 0x0,
  loader: {
    magic: [0x2ce0806f],
    securityInfo: true,
    securityFlags: true,
    // esptool/targets/esp32c6.py (espflash reads the same): all in BLOCK1 word 3: minor bits
    // 18–21, major bits 22–23, package bits 24–26. Not the C3's split layout: word 5 holds
    // other data on the C6.
    efuse: wafer(0x600b0844, {
      major: [field(0x600b0844, 12, 22, 2)],
      minor: [field(0x600b0844, 12, 18, 4)],
      package: [field(0x600b0844, 12, 24, 3)],
      packageNames: { 0: "ESP32-C6 (QFN40)", 1: "ESP32-C6FH4 (QFN32)" },
    }),
    defaultFlashSize: 4 << 20,
    spi: { base: 0x60003000, ...SPI_S2_LAYOUT },
    beginEncryptedWord: true,
    romWriteBlock: 0x400,
    md5BytesPerMs: MD5_RATE,
  },
  image: {
    irom: [0x42000000, 0x42800000],
    drom: [0x42800000, 0x43000000],
    memoryMap: C6_H2_MEMORY_MAP,
    // esptool: 80m and 40m share code 0 on the C6.
    flashFreq: { "80m": 0x0, "40m": 0x0, "20m": 0x2 },
    mmuPageSizes: PAGES_8_TO_64K,
  },
});
