/**
 * ESP32-S2: the loader, eFuse and image facts of one chip (esptool `targets/esp32s2.py`,
 * esptool-js `lib/targets/esp32s2.js`, espflash's chip table).
 *
 * @module
 */
import { field } from "../efuse.ts";
import { FREQ_CLASSIC, MD5_RATE, PADDING, PAGE_64K, SPI_S2_LAYOUT, wafer } from "./common.ts";
import { defineChip, type EspChipFacts } from "./types.ts";

/** The ESP32-S2. */
export const esp32s2: EspChipFacts = defineChip({
  target: "esp32s2",
  name: "ESP32-S2",
  chipId: 2,
  bootloaderOffset: 0x1000,
  loader: {
    magic: [0x000007c6],
    // The S2 ROM answers GET_SECURITY_INFO with 12 bytes and no chip id.
    securityInfo: false,
    securityFlags: true,
    // esptool/targets/esp32s2.py: major = word 3 bits 18–19, minor = word 3 bit 20 : word 4
    // bits 4–6, package = word 4 bits 0–3 (esptool names S2 parts by flash/PSRAM size instead).
    efuse: wafer(0x3f41a044, {
      major: [field(0x3f41a044, 12, 18, 2)],
      minor: [field(0x3f41a044, 12, 20, 1), field(0x3f41a044, 16, 4, 3)],
      package: [field(0x3f41a044, 16, 0, 4)],
    }),
    defaultFlashSize: 4 << 20,
    spi: { base: 0x3f402000, ...SPI_S2_LAYOUT },
    beginEncryptedWord: true,
    romWriteBlock: 0x400,
    md5BytesPerMs: MD5_RATE,
  },
  image: {
    irom: [0x40080000, 0x40b80000],
    drom: [0x3f000000, 0x3f3f0000],
    memoryMap: [
      PADDING,
      [0x3f000000, 0x3ff80000, "DROM"],
      [0x3f500000, 0x3ff80000, "EXTRAM_DATA"],
      [0x3ff9e000, 0x3ffa0000, "RTC_DRAM"],
      [0x3ff9e000, 0x40000000, "BYTE_ACCESSIBLE"],
      [0x3ff9e000, 0x40072000, "MEM_INTERNAL"],
      [0x3ffb0000, 0x40000000, "DRAM"],
      [0x40000000, 0x4001a100, "IROM_MASK"],
      [0x40020000, 0x40070000, "IRAM"],
      [0x40070000, 0x40072000, "RTC_IRAM"],
      [0x40080000, 0x40800000, "IROM"],
      [0x50000000, 0x50002000, "RTC_DATA"],
    ],
    flashFreq: FREQ_CLASSIC,
    mmuPageSizes: PAGE_64K,
  },
});
