/**
 * ESP32-P4: the loader, eFuse and image facts of one chip (esptool `targets/esp32p4.py`,
 * esptool-js `lib/targets/esp32p4.js`, espflash's chip table).
 *
 * @module
 */
import { FREQ_NEW, PADDING, PAGE_64K } from "./common.ts";
import { defineChip, type EspChipFacts } from "./types.ts";

/** The ESP32-P4. */
export const esp32p4: EspChipFacts = defineChip({
  target: "esp32p4",
  name: "ESP32-P4",
  chipId: 18,
  bootloaderOffset: 0x2000,
  image: {
    irom: [0x40000000, 0x4c000000],
    drom: [0x40000000, 0x4c000000],
    memoryMap: [
      PADDING,
      [0x40000000, 0x4c000000, "DROM"],
      [0x4ff00000, 0x4ffa0000, "DRAM"],
      [0x4ff00000, 0x4ffa0000, "BYTE_ACCESSIBLE"],
      [0x4fc00000, 0x4fc20000, "DROM_MASK"],
      [0x4fc00000, 0x4fc20000, "IROM_MASK"],
      [0x40000000, 0x4c000000, "IROM"],
      [0x4ff00000, 0x4ffa0000, "IRAM"],
      [0x50108000, 0x50110000, "RTC_IRAM"],
      [0x50108000, 0x50110000, "RTC_DRAM"],
      [0x600fe000, 0x60100000, "MEM_INTERNAL2"],
    ],
    flashFreq: FREQ_NEW,
    mmuPageSizes: PAGE_64K,
  },
});
