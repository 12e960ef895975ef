/**
 * ESP32-C3: the loader, eFuse and image facts of one chip (esptool `targets/esp32c3.py`,
 * esptool-js `lib/targets/esp32c3.js`, espflash's chip table).
 *
 * @module
 */
import {
  C3_LAYOUT,
  FREQ_CLASSIC,
  MD5_RATE,
  PADDING,
  PAGE_64K,
  SPI_S2_LAYOUT,
  wafer,
} from "./common.ts";
import { defineChip, type EspChipFacts } from "./types.ts";

/** The ESP32-C3. */
export const esp32c3: EspChipFacts = defineChip({
  target: "esp32c3",
  name: "ESP32-C3",
  chipId: 5,
  bootloaderOffset: 0x0,
  loader: {
    magic: [0x6921506f, 0x1b31506f, 0x4881606f, 0x4361606f],
    securityInfo: true,
    securityFlags: true,
    efuse: wafer(0x60008844, {
      ...C3_LAYOUT(0x60008844),
      packageNames: {
        0: "ESP32-C3 (QFN32)",
        1: "ESP8685 (QFN28)",
        2: "ESP32-C3 AZ (QFN32)",
        3: "ESP8686 (QFN24)",
      },
    }),
    defaultFlashSize: 4 << 20,
    spi: { base: 0x60002000, ...SPI_S2_LAYOUT },
    beginEncryptedWord: true,
    romWriteBlock: 0x400,
    md5BytesPerMs: MD5_RATE,
  },
  image: {
    irom: [0x42000000, 0x42800000],
    drom: [0x3c000000, 0x3c800000],
    memoryMap: [
      PADDING,
      [0x3c000000, 0x3c800000, "DROM"],
      [0x3fc80000, 0x3fce0000, "DRAM"],
      [0x3fc88000, 0x3fd00000, "BYTE_ACCESSIBLE"],
      [0x3ff00000, 0x3ff20000, "DROM_MASK"],
      [0x40000000, 0x40060000, "IROM_MASK"],
      [0x42000000, 0x42800000, "IROM"],
      [0x4037c000, 0x403e0000, "IRAM"],
      [0x50000000, 0x50002000, "RTC_IRAM"],
      [0x50000000, 0x50002000, "RTC_DRAM"],
      [0x600fe000, 0x60100000, "MEM_INTERNAL2"],
    ],
    flashFreq: FREQ_CLASSIC,
    mmuPageSizes: PAGE_64K,
  },
});
