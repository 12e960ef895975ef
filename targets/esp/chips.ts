/**
 * The ESP32 family chip table: identification, memory map defaults, SPI registers for the
 * flash id, protocol quirks and cost-model constants. Values are from esptool's and
 * esptool-js 0.7.0's target files and espflash's chip table (see the reference notes, §2.3/§2.6).
 *
 * @module
 */

import { type BitField, type EfuseMap, field, type RevisionRule } from "./efuse.ts";

/** SPI controller registers used to run RDID (0x9F) through the ROM's register commands. */
export interface SpiRegisters {
  /** Base address of the SPI0/1 controller that drives the flash. */
  readonly base: number;
  /** Offsets from `base`. */
  readonly usr: number;
  readonly usr1: number;
  readonly usr2: number;
  readonly mosiDlen: number;
  readonly misoDlen: number;
  readonly w0: number;
}

/** One chip of the family. */
export interface EspChip {
  /** Target name, e.g. `esp32c3`. */
  readonly target: string;
  /** Marketing name, e.g. `ESP32-C3`. */
  readonly name: string;
  /** IMAGE_CHIP_ID, also returned by GET_SECURITY_INFO on chips that have it. */
  readonly chipId: number;
  /** Values of the magic register at 0x40001000 (the fallback detection). */
  readonly magic: readonly number[];
  /** Whether the ROM implements GET_SECURITY_INFO with a chip id. */
  readonly securityInfo: boolean;
  /** Whether the ROM has GET_SECURITY_INFO at all (ESP32-S2: a short reply, no chip id). */
  readonly securityFlags: boolean;
  /** eFuse words holding the MAC and the chip revision. */
  readonly efuse: EfuseMap;
  /** Where the second-stage bootloader lives in flash. */
  readonly bootloaderOffset: number;
  /** Default flash size before detection. */
  readonly defaultFlashSize: number;
  /** SPI registers for the flash id. */
  readonly spi: SpiRegisters;
  /** ROM FLASH_BEGIN / FLASH_DEFL_BEGIN take a 5th "encrypted" word (S2 and later). */
  readonly beginEncryptedWord: boolean;
  /** Block size the ROM accepts for FLASH_DATA / FLASH_DEFL_DATA (FLASH_WRITE_SIZE). */
  readonly romWriteBlock: number;
  /** ROM MD5 throughput over flash, in bytes per ms (cost model; assumed, see below). */
  readonly md5BytesPerMs: number;
  /**
   * UART_CLKDIV register, where the ROM's CHANGE_BAUDRATE assumes a 40 MHz crystal: with a
   * 26 MHz one the rate must be scaled by 40/26 (esptool's ESP32-C2 change_baud).
   */
  readonly uartClkdivReg?: number;
}

/** Address of the magic register read when GET_SECURITY_INFO is missing. */
export const MAGIC_REG = 0x40001000;

/** Flash erase unit: every ESP32-family flash erases 4 KiB sectors. */
export const SECTOR = 0x1000;
/** Erase block: loaders erase aligned 64 KiB blocks with one command where a write covers one. */
export const ERASE_BLOCK = 0x10000;

const SPI_S2_LAYOUT = {
  usr: 0x18,
  usr1: 0x1c,
  usr2: 0x20,
  mosiDlen: 0x24,
  misoDlen: 0x28,
  w0: 0x58,
};

// The one published figure is the stub's ≈0.4 s/MB (FastLED/fbuild #66), about 2.6 KB/ms; the
// ROM's is not published, so the same figure is used for both (as the simulator does).
const MD5_RATE = 2621;

// eFuse layouts, from esptool's per-chip target files `esptool/targets/<chip>.py`
// (get_major_chip_version, get_minor_chip_version, get_pkg_version, read_mac; espressif/esptool).
// Newer chips keep the MAC in the first two words of eFuse BLOCK1 (BLOCK2 on the C2) and the
// wafer version and package in the words after it; `field(block, 4 * word, shift, bits)`.
const wafer = (
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
const C3_LAYOUT = (block1: number) => ({
  major: [field(block1, 20, 24, 2)],
  minor: [field(block1, 20, 23, 1), field(block1, 12, 18, 3)],
  package: [field(block1, 12, 21, 3)],
});

/** Every chip this family supports, keyed by target name. */
export const CHIPS: Readonly<Record<string, EspChip>> = {
  esp32: {
    target: "esp32",
    name: "ESP32",
    chipId: 0,
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
    bootloaderOffset: 0x1000,
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
  esp32s2: {
    target: "esp32s2",
    name: "ESP32-S2",
    chipId: 2,
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
    bootloaderOffset: 0x1000,
    defaultFlashSize: 4 << 20,
    spi: { base: 0x3f402000, ...SPI_S2_LAYOUT },
    beginEncryptedWord: true,
    romWriteBlock: 0x400,
    md5BytesPerMs: MD5_RATE,
  },
  esp32s3: {
    target: "esp32s3",
    name: "ESP32-S3",
    chipId: 9,
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
    bootloaderOffset: 0x0,
    defaultFlashSize: 4 << 20,
    spi: { base: 0x60002000, ...SPI_S2_LAYOUT },
    beginEncryptedWord: true,
    romWriteBlock: 0x400,
    md5BytesPerMs: MD5_RATE,
  },
  esp32c2: {
    target: "esp32c2",
    name: "ESP32-C2",
    chipId: 12,
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
    bootloaderOffset: 0x0,
    defaultFlashSize: 4 << 20,
    spi: { base: 0x60002000, ...SPI_S2_LAYOUT },
    beginEncryptedWord: true,
    romWriteBlock: 0x400,
    md5BytesPerMs: MD5_RATE,
    uartClkdivReg: 0x60000014,
  },
  esp32c3: {
    target: "esp32c3",
    name: "ESP32-C3",
    chipId: 5,
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
    bootloaderOffset: 0x0,
    defaultFlashSize: 4 << 20,
    spi: { base: 0x60002000, ...SPI_S2_LAYOUT },
    beginEncryptedWord: true,
    romWriteBlock: 0x400,
    md5BytesPerMs: MD5_RATE,
  },
  esp32c6: {
    target: "esp32c6",
    name: "ESP32-C6",
    chipId: 13,
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
    bootloaderOffset: 0x0,
    defaultFlashSize: 4 << 20,
    spi: { base: 0x60003000, ...SPI_S2_LAYOUT },
    beginEncryptedWord: true,
    romWriteBlock: 0x400,
    md5BytesPerMs: MD5_RATE,
  },
  esp32h2: {
    target: "esp32h2",
    name: "ESP32-H2",
    chipId: 16,
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
    bootloaderOffset: 0x0,
    defaultFlashSize: 4 << 20,
    spi: { base: 0x60003000, ...SPI_S2_LAYOUT },
    beginEncryptedWord: true,
    romWriteBlock: 0x400,
    md5BytesPerMs: MD5_RATE,
  },
};

/** The chip with this GET_SECURITY_INFO chip id. */
export function chipById(id: number): EspChip | undefined {
  return Object.values(CHIPS).find((c) => c.chipId === id);
}

/** The chip whose magic register holds this value. */
export function chipByMagic(magic: number): EspChip | undefined {
  return Object.values(CHIPS).find((c) => c.magic.includes(magic >>> 0));
}

/** Flash size from the JEDEC RDID capacity byte, per esptool's DETECTED_FLASH_SIZES. */
export function flashSizeFromId(jedecId: number): number | undefined {
  const b = (jedecId >> 16) & 0xff;
  if (b >= 0x12 && b <= 0x1c) return 2 ** b;
  if (b >= 0x20 && b <= 0x22) return 2 ** (b - 6);
  if (b >= 0x32 && b <= 0x3a) return 2 ** (b - 0x20);
  return undefined;
}

/** Crystal frequency in MHz estimated from the ROM's UART divider at `baud`. */
export function crystalMhz(clkdiv: number, baud: number): number {
  return baud * (clkdiv & 0xfffff) / 1e6;
}
