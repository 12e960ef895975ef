/**
 * ESP32-S3: the loader, eFuse and image facts of one chip (esptool `targets/esp32s3.py`,
 * esptool-js `lib/targets/esp32s3.js`, espflash's chip table).
 *
 * @module
 */
import { field } from "../efuse.ts";
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

/** The ESP32-S3. */
export const esp32s3: EspChipFacts = defineChip({
  target: "esp32s3",
  name: "ESP32-S3",
  chipId: 9,
  bootloaderOffset: 0x0,
  loader: {
    magic: [0x00000009],
    securityInfo: true,
    securityFlags: true,
    // esptool/targets/esp32s3.py: the C3 layout, plus the v0.0 quirk: BLK_VERSION_MAJOR in
    // BLOCK2 (0x6000705C) word 4, BLK_VERSION_MINOR in BLOCK1 word 3 bits 24–26.
    efuse: wafer(0x60007044, {
      ...C3_LAYOUT(0x60007044),
      eco0: { blkMajor: field(0x6000705c, 16, 0, 2), blkMinor: field(0x60007044, 12, 24, 3) },
      packageNames: { 0: "ESP32-S3 (QFN56)", 1: "ESP32-S3-PICO-1 (LGA56)" },
    }),
    defaultFlashSize: 4 << 20,
    spi: { base: 0x60002000, ...SPI_S2_LAYOUT },
    beginEncryptedWord: true,
    romWriteBlock: 0x400,
    md5BytesPerMs: MD5_RATE,
  },
  image: {
    irom: [0x42000000, 0x44000000],
    drom: [0x3c000000, 0x3e000000],
    memoryMap: [
      PADDING,
      [0x3c000000, 0x3d000000, "DROM"],
      [0x3d000000, 0x3e000000, "EXTRAM_DATA"],
      [0x600fe000, 0x60100000, "RTC_DRAM"],
      [0x3fc88000, 0x3fd00000, "BYTE_ACCESSIBLE"],
      [0x3fc88000, 0x403e2000, "MEM_INTERNAL"],
      [0x3fc88000, 0x3fd00000, "DRAM"],
      [0x40000000, 0x4001a100, "IROM_MASK"],
      [0x40370000, 0x403e0000, "IRAM"],
      [0x600fe000, 0x60100000, "RTC_IRAM"],
      [0x42000000, 0x42800000, "IROM"],
      [0x50000000, 0x50002000, "RTC_DATA"],
    ],
    flashFreq: FREQ_CLASSIC,
    mmuPageSizes: PAGE_64K,
  },
});
