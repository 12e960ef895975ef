/**
 * Per-chip facts the image code needs, in one table: image chip id, bootloader offset, the
 * flash-mapped (IROM/DROM) windows, the memory map used to decide which ELF sections may be
 * merged, flash frequency codes and MMU page sizes.
 *
 * Sources: esptool `targets/*.py` and esptool-js `lib/targets/*.js` (constants
 * `IMAGE_CHIP_ID`, `BOOTLOADER_FLASH_OFFSET`, `IROM_MAP_*`, `DROM_MAP_*`, `MEMORY_MAP`,
 * `FLASH_FREQUENCY`), esptool `bin_image.py` (`MMU_PAGE_SIZE_CONF`).
 *
 * @module
 */
import { UsageError } from "../../../kernel/mod.ts";

/** A half-open address window `[start, end)` with the memory kind esptool names it. */
export type MemoryArea = readonly [start: number, end: number, kind: string];

/** What the image code knows about one chip. */
export interface EspImageChip {
  /** Registry-style name, e.g. `esp32c3`. */
  readonly name: string;
  /** Display name, e.g. `ESP32-C3`. */
  readonly display: string;
  /** `chip_id` of the image extended header. */
  readonly imageChipId: number;
  /** Flash offset the ROM loads the second-stage bootloader from. */
  readonly bootloaderOffset: number;
  /** Instruction bus window mapped from flash by the MMU. */
  readonly irom: readonly [number, number];
  /** Data bus window mapped from flash by the MMU. */
  readonly drom: readonly [number, number];
  /** Memory map (areas may overlap; an address's kinds are all areas containing it). */
  readonly memoryMap: readonly MemoryArea[];
  /** Flash frequency name → header low nibble. */
  readonly flashFreq: Readonly<Record<string, number>>;
  /** Valid MMU page sizes, the default (largest) last. */
  readonly mmuPageSizes: readonly number[];
  /** ESP32 only: pad flash segments that end < 0x24 bytes past a page (old bootloader bug). */
  readonly padLastPage?: boolean;
}

const FREQ_CLASSIC = { "80m": 0xf, "40m": 0x0, "26m": 0x1, "20m": 0x2 } as const;
const FREQ_NEW = { "80m": 0xf, "40m": 0x0, "20m": 0x2 } as const;
const PAGE_64K = [0x10000] as const;
const PAGES_8_TO_64K = [0x2000, 0x4000, 0x8000, 0x10000] as const;
const PADDING: MemoryArea = [0x0, 0x10000, "PADDING"];

/** ESP32-C6 and ESP32-H2 share one memory map. */
const C6_H2_MEMORY_MAP: MemoryArea[] = [
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

/** Every chip the image code supports. */
export const ESP_IMAGE_CHIPS: readonly EspImageChip[] = [
  {
    name: "esp32",
    display: "ESP32",
    imageChipId: 0,
    bootloaderOffset: 0x1000,
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
  {
    name: "esp32s2",
    display: "ESP32-S2",
    imageChipId: 2,
    bootloaderOffset: 0x1000,
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
  {
    name: "esp32s3",
    display: "ESP32-S3",
    imageChipId: 9,
    bootloaderOffset: 0x0,
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
  {
    name: "esp32c2",
    display: "ESP32-C2",
    imageChipId: 12,
    bootloaderOffset: 0x0,
    irom: [0x42000000, 0x42400000],
    drom: [0x3c000000, 0x3c400000],
    memoryMap: [
      PADDING,
      [0x3c000000, 0x3c400000, "DROM"],
      [0x3fca0000, 0x3fce0000, "DRAM"],
      [0x3fc88000, 0x3fd00000, "BYTE_ACCESSIBLE"],
      [0x3ff00000, 0x3ff50000, "DROM_MASK"],
      [0x40000000, 0x40090000, "IROM_MASK"],
      [0x42000000, 0x42400000, "IROM"],
      [0x4037c000, 0x403c0000, "IRAM"],
    ],
    flashFreq: { "60m": 0xf, "30m": 0x0, "20m": 0x1, "15m": 0x2 },
    mmuPageSizes: [0x4000, 0x8000, 0x10000],
  },
  {
    name: "esp32c3",
    display: "ESP32-C3",
    imageChipId: 5,
    bootloaderOffset: 0x0,
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
  {
    name: "esp32c5",
    display: "ESP32-C5",
    imageChipId: 23,
    bootloaderOffset: 0x2000,
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
  {
    name: "esp32c6",
    display: "ESP32-C6",
    imageChipId: 13,
    bootloaderOffset: 0x0,
    irom: [0x42000000, 0x42800000],
    drom: [0x42800000, 0x43000000],
    memoryMap: C6_H2_MEMORY_MAP,
    // esptool: 80m and 40m share code 0 on the C6.
    flashFreq: { "80m": 0x0, "40m": 0x0, "20m": 0x2 },
    mmuPageSizes: PAGES_8_TO_64K,
  },
  {
    name: "esp32h2",
    display: "ESP32-H2",
    imageChipId: 16,
    bootloaderOffset: 0x0,
    irom: [0x42000000, 0x42800000],
    drom: [0x42800000, 0x43000000],
    memoryMap: C6_H2_MEMORY_MAP,
    flashFreq: { "48m": 0xf, "24m": 0x0, "16m": 0x1, "12m": 0x2 },
    mmuPageSizes: PAGES_8_TO_64K,
  },
  {
    name: "esp32p4",
    display: "ESP32-P4",
    imageChipId: 18,
    bootloaderOffset: 0x2000,
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
];

const normalise = (s: string) => s.toLowerCase().replace(/[-_\s()]/g, "");

/** The chip named `name` (`esp32c3`, `ESP32-C3`, `c3`), or a UsageError listing the known ones. */
export function espImageChip(name: string): EspImageChip {
  const n = normalise(name);
  const hit = ESP_IMAGE_CHIPS.find((c) =>
    c.name === n || normalise(c.display) === n || c.name === `esp32${n}`
  );
  if (!hit) {
    throw new UsageError(`unknown ESP chip '${name}'`, {
      hint: `known chips: ${ESP_IMAGE_CHIPS.map((c) => c.name).join(", ")}`,
    });
  }
  return hit;
}

/** The chip whose image header carries `chipId`, if any. */
export function chipByImageId(chipId: number): EspImageChip | undefined {
  return ESP_IMAGE_CHIPS.find((c) => c.imageChipId === chipId);
}

/** True when `address` is in the chip's flash-mapped IROM or DROM window. */
export function isFlashMapped(chip: EspImageChip, address: number): boolean {
  return (address >= chip.irom[0] && address < chip.irom[1]) ||
    (address >= chip.drom[0] && address < chip.drom[1]);
}

/** The memory kinds (esptool names) whose areas contain `address`, in table order. */
export function memoryKinds(chip: EspImageChip, address: number): string[] {
  return chip.memoryMap.filter(([s, e]) => address >= s && address < e).map(([, , k]) => k);
}
