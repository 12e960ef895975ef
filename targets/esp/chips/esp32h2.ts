/**
 * ESP32-H2: the loader, eFuse and image facts of one chip (esptool `targets/esp32h2.py`,
 * esptool-js `lib/targets/esp32h2.js`, espflash's chip table).
 *
 * @module
 */
import { field } from "../efuse.ts";
import { C6_H2_MEMORY_MAP, MD5_RATE, PAGES_8_TO_64K, SPI_S2_LAYOUT, wafer } from "./common.ts";
import { defineChip, type EspChipFacts } from "./types.ts";

/** The ESP32-H2. */
export const esp32h2: EspChipFacts = defineChip({
  target: "esp32h2",
  name: "ESP32-H2",
  chipId: 16,
  bootloaderOffset: 0x0,
  loader: {
    magic: [0xd7b73e80, 0x97e30068],
    securityInfo: true,
    securityFlags: true,
    // esptool/targets/esp32h2.py: minor = word 3 bits 18–20, major = word 3 bits 21–22,
    // package = word 4 bits 0–2.
    efuse: wafer(0x600b0844, {
      major: [field(0x600b0844, 12, 21, 2)],
      minor: [field(0x600b0844, 12, 18, 3)],
      package: [field(0x600b0844, 16, 0, 3)],
      packageNames: { 0: "ESP32-H2" },
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
    flashFreq: { "48m": 0xf, "24m": 0x0, "16m": 0x1, "12m": 0x2 },
    mmuPageSizes: PAGES_8_TO_64K,
  },
});
