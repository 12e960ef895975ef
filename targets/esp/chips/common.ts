/**
 * Facts several ESP chips share: SPI register layouts, the MD5 rate, eFuse layouts, flash
 * frequency codes, MMU page sizes and memory maps.
 *
 * @module
 */
import { type BitField, type EfuseMap, field, type RevisionRule } from "../efuse.ts";
import type { MemoryArea } from "./types.ts";

/** SPI register offsets from the ESP32-S2 on. */
export const SPI_S2_LAYOUT = {
  usr: 0x18,
  usr1: 0x1c,
  usr2: 0x20,
  mosiDlen: 0x24,
  misoDlen: 0x28,
  w0: 0x58,
};

// The one published figure is the stub's ≈0.4 s/MB (FastLED/fbuild #66), about 2.6 KB/ms; the
// ROM's is not published, so the same figure is used for both (as the simulator does).
/** Device MD5 throughput, bytes per ms. */
export const MD5_RATE = 2621;

// eFuse layouts, from esptool's per-chip target files `esptool/targets/<chip>.py`
// (get_major_chip_version, get_minor_chip_version, get_pkg_version, read_mac; espressif/esptool).
// Newer chips keep the MAC in the first two words of eFuse BLOCK1 (BLOCK2 on the C2) and the
// wafer version and package in the words after it; `field(block, 4 * word, shift, bits)`.
/** An eFuse map with the MAC at `mac` and a wafer-version revision and package layout. */
export const wafer = (
  mac: number,
  layout: Omit<RevisionRule & { kind: "wafer" }, "kind"> & {
    package: readonly BitField[];
    packageNames?: Readonly<Record<number, string>>;
  },
): EfuseMap => {
  const { package: pkg, packageNames, ...revision } = layout;
  return { mac, revision: { kind: "wafer", ...revision }, package: pkg, packageNames };
};
/**
 * ESP32-C3 (esptool/targets/esp32c3.py), also the ESP32-S3's base: minor = word 5 bit 23 :
 * word 3 bits 18–20, major = word 5 bits 24–25, package = word 3 bits 21–23.
 */
export const C3_LAYOUT = (block1: number) => ({
  major: [field(block1, 20, 24, 2)],
  minor: [field(block1, 20, 23, 1), field(block1, 12, 18, 3)],
  package: [field(block1, 12, 21, 3)],
});

/** Flash frequency codes of most chips. */
export const FREQ_CLASSIC = { "80m": 0xf, "40m": 0x0, "26m": 0x1, "20m": 0x2 } as const;
/** Flash frequency codes of the C5 and P4. */
export const FREQ_NEW = { "80m": 0xf, "40m": 0x0, "20m": 0x2 } as const;
/** MMU page sizes: 64 KiB only. */
export const PAGE_64K = [0x10000] as const;
/** MMU page sizes: 8 to 64 KiB. */
export const PAGES_8_TO_64K = [0x2000, 0x4000, 0x8000, 0x10000] as const;
/** The padding area every memory map starts with. */
export const PADDING: MemoryArea = [0x0, 0x10000, "PADDING"];

/** ESP32-C6 and ESP32-H2 share one memory map. */
export const C6_H2_MEMORY_MAP: MemoryArea[] = [
  PADDING,
  [0x42000000, 0x43000000, "DROM"],
  [0x40800000, 0x40880000, "DRAM"],
  [0x40800000, 0x40880000, "BYTE_ACCESSIBLE"],
  [0x4004ac00, 0x40050000, "DROM_MASK"],
  [0x40000000, 0x4004ac00, "IROM_MASK"],
  [0x42000000, 0x43000000, "IROM"],
  [0x40800000, 0x40880000, "IRAM"],
  [0x50000000, 0x50004000, "RTC_IRAM"],
  [0x50000000, 0x50004000, "RTC_DRAM"],
  [0x600fe000, 0x60100000, "MEM_INTERNAL2"],
];
