/**
 * ESP32-C5: the loader, eFuse and image facts of one chip (esptool `targets/esp32c5.py`,
 * esptool-js `lib/targets/esp32c5.js`, espflash's chip table).
 *
 * @module
 */
import { FREQ_NEW, PADDING, PAGE_64K } from "./common.ts";
import { defineChip, type EspChipFacts } from "./types.ts";

/** The ESP32-C5. */
export const esp32c5: EspChipFacts = defineChip({
  target: "esp32c5",
  name: "ESP32-C5",
  chipId: 23,
  bootloaderOffset: 0x2000,
  image: {
    irom: [0x42000000, 0x44000000],
    drom: [0x42000000, 0x44000000],
    memoryMap: [
      PADDING,
      [0x42000000, 0x44000000, "DROM"],
      [0x40800000, 0x40860000, "DRAM"],
      [0x40800000, 0x40860000, "BYTE_ACCESSIBLE"],
      [0x4003a000, 0x40040000, "DROM_MASK"],
      [0x40000000, 0x4003a000, "IROM_MASK"],
      [0x42000000, 0x44000000, "IROM"],
      [0x40800000, 0x40860000, "IRAM"],
      [0x50000000, 0x50004000, "RTC_IRAM"],
      [0x50000000, 0x50004000, "RTC_DRAM"],
      [0x600fe000, 0x60100000, "MEM_INTERNAL2"],
    ],
    flashFreq: FREQ_NEW,
    mmuPageSizes: PAGE_64K,
  },
});
