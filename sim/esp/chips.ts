/**
 * The ESP chip table: everything the simulated ROM needs to answer as a given chip does.
 * Values are facts from esptool / esptool-js 0.7.0 target definitions and espflash's chip
 * list (magic values, chip ids, register bases, bootloader offsets); banners are the ROM
 * boot lines quoted in esptool issues (#774 for the C3) and esptool's docs.
 *
 * @module
 */

/** SPI peripheral register offsets used for user commands (RDID). */
export interface SpiRegs {
  /** Peripheral base address. */
  readonly base: number;
  /** SPI_USR offset. */
  readonly usr: number;
  /** SPI_USR1 offset. */
  readonly usr1: number;
  /** SPI_USR2 offset (command value in the low bits). */
  readonly usr2: number;
  /** SPI_W0 offset (data buffer). */
  readonly w0: number;
}

/** What GET_SECURITY_INFO returns from the ROM. */
export type SecurityInfoForm = "unsupported" | "short12" | "full20";

/** One ESP chip as the simulator models it. */
export interface EspChip {
  /** Lower-case id used in addresses: `sim:esp32c3`. */
  readonly id: string;
  /** Display name as esptool prints it. */
  readonly name: string;
  /** Value of the magic register at 0x40001000. */
  readonly magic: number;
  /** IMAGE_CHIP_ID, returned by GET_SECURITY_INFO where the ROM has it. */
  readonly chipId: number;
  /** GET_SECURITY_INFO support in the ROM (the ESP32 ROM has none; the S2 has no chip id). */
  readonly romSecurityInfo: SecurityInfoForm;
  /** Default flash size in bytes. */
  readonly flashSize: number;
  /** Where the second-stage bootloader lives. */
  readonly bootloaderOffset: number;
  /** SPI flash controller registers. */
  readonly spi: SpiRegs;
  /** Address of the two eFuse words holding the MAC (low word first). */
  readonly macEfuse: number;
  /** The factory MAC this simulated chip reports. */
  readonly mac: readonly number[];
  /** The chip revision the eFuse words below encode, as esptool prints it (`v3.0`). */
  readonly revision: string;
  /** The PKG_VERSION the eFuse words below encode. */
  readonly package: number;
  /**
   * Other eFuse and system words READ_REG returns (address → value), chiefly the wafer
   * version and package fields; a word shared with the MAC's top half keeps its own bits above
   * bit 15. The values are chosen so that each chip's layout is told apart from every other
   * chip's: read with another chip's bit positions they give another revision or package.
   */
  readonly efuse: Readonly<Record<number, number>>;
  /** UART_CLKDIV register (esptool-js reads it on ESP32/C2 to guess the crystal), if read. */
  readonly uartClkdiv?: number;
  /** Crystal frequency in MHz. */
  readonly xtalMhz: number;
  /** Status bytes the ROM appends to every response (4 on ESP32 and later). */
  readonly romStatusBytes: 2 | 4;
  /** Status bytes the flasher stub appends (always 2). */
  readonly stubStatusBytes: 2;
  /** ROM supports FLASH_DEFL_* (every ESP32-family ROM does; ESP8266's does not). */
  readonly romDeflate: boolean;
  /** ROM supports SPI_FLASH_MD5. */
  readonly romMd5: boolean;
  /** Chip has a USB-Serial-JTAG peripheral (VID 0x303A, PID 0x1001). */
  readonly usbJtagSerial: boolean;
  /** ROM banner lines before the boot line. */
  readonly romHeader: string;
  /** Reset cause as the boot line names it after power-up. */
  readonly powerOnReset: string;
  /**
   * Reset cause after a software system reset (what a stub's FLASH_END reboot does); ROMs
   * newer than the ESP32's follow such a line with `Saved PC:`.
   */
  readonly softwareReset: string;
  /** Boot mode as the boot line names it in download mode. */
  readonly downloadBoot: string;
  /** Boot mode for a normal SPI flash boot. */
  readonly flashBoot: string;
}

const MB = 1024 * 1024;
const SPI_ESP32: SpiRegs = { base: 0x3ff42000, usr: 0x1c, usr1: 0x20, usr2: 0x24, w0: 0x80 };
const spiNew = (base: number): SpiRegs => ({ base, usr: 0x18, usr1: 0x1c, usr2: 0x20, w0: 0x58 });
const common = {
  romStatusBytes: 4,
  stubStatusBytes: 2,
  romDeflate: true,
  romMd5: true,
  xtalMhz: 40,
} as const;
const newRom = (tag: string, build: string) => `ESP-ROM:${tag}\r\nBuild:${build}\r\n`;
// Software-reset causes as the ROMs print them: ESP32 `rst:0x3 (SW_RESET)`, S2/S3/C2/C3
// `rst:0x3 (RTC_SW_SYS_RST)` (S3 and C3 boot logs), C6/H2 `rst:0x3 (LP_SW_HPSYS)` (C6 logs; the
// H2 shares the C6's LP/HP reset naming).

/** All simulated chips, by id. */
export const ESP_CHIPS: Readonly<Record<string, EspChip>> = {
  esp32: {
    ...common,
    id: "esp32",
    name: "ESP32",
    magic: 0x00f01d83,
    chipId: 0,
    romSecurityInfo: "unsupported",
    flashSize: 4 * MB,
    bootloaderOffset: 0x1000,
    spi: SPI_ESP32,
    macEfuse: 0x3ff5a004, // EFUSE_RD_REG_BASE + 4 (words 1 and 2)
    mac: [0x24, 0x0a, 0xc4, 0x00, 0x00, 0x32],
    revision: "v3.0",
    package: 1,
    efuse: {
      // EFUSE_BLK0_RDATA3: CHIP_VER_REV1 (bit 15) and CHIP_PACKAGE 1 = D0WD (bits 9–11);
      // RDATA5: CHIP_VER_REV2 (bit 20), minor 0 (bits 24–25); APB_CTL_DATE (DR_REG_SYSCON_BASE
      // + 0x7C) bit 31: together esptool's rule for major revision 3 (ESP32-D0WD-V3).
      0x3ff5a00c: (1 << 15) | (1 << 9),
      0x3ff5a014: 1 << 20,
      0x3ff6607c: 0x80000000,
    },
    uartClkdiv: 0x3ff40014,
    usbJtagSerial: false,
    romHeader: "ets Jun  8 2016 00:22:57\r\n\r\n",
    powerOnReset: "rst:0x1 (POWERON_RESET)",
    softwareReset: "rst:0x3 (SW_RESET)",
    downloadBoot: "boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))",
    flashBoot: "boot:0x13 (SPI_FAST_FLASH_BOOT)",
  },
  esp32s2: {
    ...common,
    id: "esp32s2",
    name: "ESP32-S2",
    magic: 0x000007c6,
    chipId: 2,
    romSecurityInfo: "short12",
    flashSize: 4 * MB,
    bootloaderOffset: 0x1000,
    spi: spiNew(0x3f402000),
    macEfuse: 0x3f41a044,
    mac: [0x7c, 0xdf, 0xa1, 0x00, 0x00, 0x02],
    revision: "v1.0",
    package: 0,
    efuse: {
      // BLOCK1 word 3: WAFER_VERSION_MAJOR bits 18–19 = 1, minor high bit 20 = 0; word 4: minor
      // low bits 4–6 = 0, PKG_VERSION bits 0–3 = 0.
      0x3f41a050: 1 << 18,
    },
    usbJtagSerial: false,
    romHeader: newRom("esp32s2-rc4-20191025", "Oct 25 2019"),
    powerOnReset: "rst:0x1 (POWERON)",
    softwareReset: "rst:0x3 (RTC_SW_SYS_RST)",
    downloadBoot: "boot:0x0 (DOWNLOAD(USB/UART0/1))",
    flashBoot: "boot:0x8 (SPI_FAST_FLASH_BOOT)",
  },
  esp32s3: {
    ...common,
    id: "esp32s3",
    name: "ESP32-S3",
    magic: 0x00000009,
    chipId: 9,
    romSecurityInfo: "full20",
    flashSize: 8 * MB,
    bootloaderOffset: 0x0,
    spi: spiNew(0x60002000),
    macEfuse: 0x60007044,
    mac: [0xf4, 0x12, 0xfa, 0x00, 0x00, 0x09],
    revision: "v0.0",
    package: 1,
    efuse: {
      // A v0.0 chip with eFuse block version v1.1, whose major field holds other data: esptool
      // reads v0.0 (its S3-only rule), a plain C3-style reader v2.0. BLOCK1 word 3: minor low
      // bits 18–20 = 0, PKG_VERSION bits 21–23 = 1 (PICO-1), BLK_VERSION_MINOR bits 24–26 = 1;
      // word 5: bits 24–25 = 2; BLOCK2 word 4: BLK_VERSION_MAJOR bits 0–1 = 1.
      0x60007050: (1 << 21) | (1 << 24),
      0x60007058: 2 << 24,
      0x6000706c: 1,
    },
    usbJtagSerial: true,
    romHeader: newRom("esp32s3-20210327", "Mar 27 2021"),
    powerOnReset: "rst:0x1 (POWERON)",
    softwareReset: "rst:0x3 (RTC_SW_SYS_RST)",
    downloadBoot: "boot:0x0 (DOWNLOAD(USB/UART0))",
    flashBoot: "boot:0x8 (SPI_FAST_FLASH_BOOT)",
  },
  esp32c2: {
    ...common,
    id: "esp32c2",
    name: "ESP32-C2",
    magic: 0x6f51306f,
    chipId: 12,
    romSecurityInfo: "full20",
    flashSize: 2 * MB,
    bootloaderOffset: 0x0,
    spi: spiNew(0x60002000),
    macEfuse: 0x60008840,
    mac: [0x08, 0x3a, 0x8d, 0x00, 0x00, 0x0c],
    revision: "v1.1",
    package: 0,
    efuse: {
      // BLOCK2 word 1 (above the MAC's top two bytes): WAFER_VERSION_MINOR bits 16–19 = 1,
      // WAFER_VERSION_MAJOR bits 20–21 = 1.
      0x60008844: (1 << 20) | (1 << 16),
    },
    uartClkdiv: 0x60000014,
    usbJtagSerial: false,
    romHeader: newRom("esp8684-api2-20220127", "Jan 27 2022"),
    powerOnReset: "rst:0x1 (POWERON)",
    softwareReset: "rst:0x3 (RTC_SW_SYS_RST)",
    downloadBoot: "boot:0x4 (DOWNLOAD(UART0))",
    flashBoot: "boot:0xc (SPI_FAST_FLASH_BOOT)",
  },
  esp32c3: {
    ...common,
    id: "esp32c3",
    name: "ESP32-C3",
    magic: 0x1b31506f,
    chipId: 5,
    romSecurityInfo: "full20",
    flashSize: 4 * MB,
    bootloaderOffset: 0x0,
    spi: spiNew(0x60002000),
    macEfuse: 0x60008844,
    mac: [0x58, 0xcf, 0x79, 0x00, 0x00, 0x05],
    revision: "v0.4",
    package: 2,
    efuse: {
      // BLOCK1 word 3: WAFER_VERSION_MINOR low bits 18–20 = 4, PKG_VERSION bits 21–23 = 2
      // (ESP32-C3 AZ; the C6's layout reads v1.4 from this word); word 5 (minor high bit 23,
      // major bits 24–25) = 0.
      0x60008850: (2 << 21) | (4 << 18),
    },
    usbJtagSerial: true,
    romHeader: newRom("esp32c3-api1-20210207", "Feb  7 2021"),
    powerOnReset: "rst:0x1 (POWERON)",
    softwareReset: "rst:0x3 (RTC_SW_SYS_RST)",
    downloadBoot: "boot:0x5 (DOWNLOAD(USB/UART0/1))",
    flashBoot: "boot:0xc (SPI_FAST_FLASH_BOOT)",
  },
  esp32c6: {
    ...common,
    id: "esp32c6",
    name: "ESP32-C6",
    magic: 0x2ce0806f,
    chipId: 13,
    romSecurityInfo: "full20",
    flashSize: 4 * MB,
    bootloaderOffset: 0x0,
    spi: spiNew(0x60003000),
    macEfuse: 0x600b0844,
    mac: [0x40, 0x4c, 0xca, 0x00, 0x00, 0x0d],
    revision: "v0.2",
    package: 1,
    efuse: {
      // BLOCK1 word 3: WAFER_VERSION_MINOR bits 18–21 = 2, WAFER_VERSION_MAJOR bits 22–23 = 0,
      // PKG_VERSION bits 24–26 = 1 (C6FH4). Word 5 holds other data on the C6 (bits 23–25 set
      // here), which a reader using the C3's layout takes for revision bits (v3.10).
      0x600b0850: (2 << 18) | (1 << 24),
      0x600b0858: 0x7 << 23,
    },
    usbJtagSerial: true,
    romHeader: newRom("esp32c6-20220919", "Sep 19 2022"),
    powerOnReset: "rst:0x1 (POWERON)",
    softwareReset: "rst:0x3 (LP_SW_HPSYS)",
    downloadBoot: "boot:0x4 (DOWNLOAD(USB/UART0/SDIO_FEI_FEO))",
    flashBoot: "boot:0x6c (SPI_FAST_FLASH_BOOT)",
  },
  esp32h2: {
    ...common,
    id: "esp32h2",
    name: "ESP32-H2",
    magic: 0xd7b73e80,
    chipId: 16,
    romSecurityInfo: "full20",
    flashSize: 4 * MB,
    bootloaderOffset: 0x0,
    spi: spiNew(0x60003000),
    macEfuse: 0x600b0844,
    mac: [0x60, 0x55, 0xf9, 0x00, 0x00, 0x10],
    revision: "v1.2",
    package: 0,
    efuse: {
      // BLOCK1 word 3: WAFER_VERSION_MINOR bits 18–20 = 2, WAFER_VERSION_MAJOR bits 21–22 = 1
      // (the C6's layout reads v0.10 from this word); word 4: PKG_VERSION bits 0–2 = 0.
      0x600b0850: (1 << 21) | (2 << 18),
    },
    xtalMhz: 32,
    usbJtagSerial: true,
    romHeader: newRom("esp32h2-20221101", "Nov  1 2022"),
    powerOnReset: "rst:0x1 (POWERON)",
    softwareReset: "rst:0x3 (LP_SW_HPSYS)",
    downloadBoot: "boot:0x4 (DOWNLOAD(USB/UART0))",
    flashBoot: "boot:0xc (SPI_FAST_FLASH_BOOT)",
  },
};

/** Looks a chip up by id, accepting `esp32c3`, `esp32-c3` and `ESP32-C3`. */
export function findChip(name: string): EspChip | undefined {
  return ESP_CHIPS[name.toLowerCase().replace(/[-_]/g, "")];
}

/** JEDEC RDID value (manufacturer | type << 8 | capacity << 16) of a Winbond-style part. */
export function jedecId(flashSize: number): number {
  // Capacity byte is log2(size in bytes): 0x16 = 4 MB (W25Q32), 0x17 = 8 MB, 0x18 = 16 MB.
  const capacity = Math.round(Math.log2(flashSize));
  return (0xef | (0x40 << 8) | (capacity << 16)) >>> 0;
}
