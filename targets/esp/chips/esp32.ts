/**
 * ESP32: the loader, eFuse and image facts of one chip (esptool `targets/esp32.py`,
 * esptool-js `lib/targets/esp32.js`, espflash's chip table).
 *
 * @module
 */
import { field } from "../efuse.ts";
import { FREQ_CLASSIC, MD5_RATE, PADDING, PAGE_64K } from "./common.ts";
import { defineChip, type EspChipFacts } from "./types.ts";

/** The ESP32. */
export const esp32: EspChipFacts = defineChip({
  target: "esp32",
  name: "ESP32",
  chipId: 0,
  bootloaderOffset: 0x1000,
  loader: {
    magic: [0x00f01d83],
    securityInfo: false,
    securityFlags: false,
    efuse: {
      // esptool/targets/esp32.py: EFUSE_RD_REG_BASE 0x3FF5A000, MAC in words 1–2 (read_mac),
      // APB_CTL_DATE at DR_REG_SYSCON_BASE + 0x7C; get_pkg_version: word 3 bit 2 above bits 9–11.
      mac: 0x3ff5a004,
      revision: { kind: "esp32", word3: 0x3ff5a00c, word5: 0x3ff5a014, apbCtlDate: 0x3ff6607c },
      package: [field(0x3ff5a000, 12, 2, 1), field(0x3ff5a000, 12, 9, 3)],
      packageNames: {
        0: "ESP32-D0WDQ6",
        1: "ESP32-D0WD",
        2: "ESP32-D2WD",
        4: "ESP32-U4WDH",
        5: "ESP32-PICO-D4",
        6: "ESP32-PICO-V3-02",
        7: "ESP32-D0WDR2-V3",
      },
    },
    defaultFlashSize: 4 << 20,
    spi: {
      base: 0x3ff42000,
      usr: 0x1c,
      usr1: 0x20,
      usr2: 0x24,
      mosiDlen: 0x28,
      misoDlen: 0x2c,
      w0: 0x80,
    },
    beginEncryptedWord: false,
    romWriteBlock: 0x400,
    md5BytesPerMs: MD5_RATE,
  },
  image: {
    irom: [0x400d0000, 0x40400000],
    drom: [0x3f400000, 0x3f800000],
    memoryMap: [
      PADDING,
      [0x3f400000, 0x3f800000, "DROM"],
      [0x3f800000, 0x3fc00000, "EXTRAM_DATA"],
      [0x3ff80000, 0x3ff82000, "RTC_DRAM"],
      [0x3ff90000, 0x40000000, "BYTE_ACCESSIBLE"],
      [0x3ffae000, 0x40000000, "DRAM"],
      [0x3ffe0000, 0x3ffffffc, "DIRAM_DRAM"],
      [0x40000000, 0x40070000, "IROM"],
      [0x40070000, 0x40078000, "CACHE_PRO"],
      [0x40078000, 0x40080000, "CACHE_APP"],
      [0x40080000, 0x400a0000, "IRAM"],
      [0x400a0000, 0x400bfffc, "DIRAM_IRAM"],
      [0x400c0000, 0x400c2000, "RTC_IRAM"],
      [0x400d0000, 0x40400000, "IROM"],
      [0x50000000, 0x50002000, "RTC_DATA"],
    ],
    flashFreq: FREQ_CLASSIC,
    mmuPageSizes: PAGE_64K,
    padLastPage: true,
  },
});
