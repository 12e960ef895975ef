/**
 * The nRF chip and board table. Numbers: Nordic nRF51 Series Reference Manual v3.0 and
 * nRF52833/nRF52840 Product Specifications (memory sizes, NVMC timings), micro:bit board ids
 * from the DAPLink board list (9900/9901 V1, 9903–9906 V2).
 *
 * @module
 */
import type { FlashLayout } from "../../kernel/mod.ts";

/** NVMC registers (same addresses on nRF51 and nRF52). */
export const NVMC = {
  READY: 0x4001e400,
  CONFIG: 0x4001e504,
  ERASEPAGE: 0x4001e508,
  ERASEUICR: 0x4001e514,
} as const;

/** FICR words giving the flash geometry. */
export const FICR = { CODEPAGESIZE: 0x10000010, CODESIZE: 0x10000014 } as const;

/** UICR base address. */
export const UICR_BASE = 0x10001000;

/** One nRF chip. */
export interface NrfChip {
  /** Part name. */
  readonly name: string;
  /** Series: images for one do not run on the other (vector table, UICR, SoftDevice). */
  readonly series: "nRF51" | "nRF52";
  /** CPU core. */
  readonly core: "Cortex-M0" | "Cortex-M4F";
  /** Flash page (erase unit) in bytes. */
  readonly pageSize: number;
  /** Code flash size in bytes. */
  readonly flashSize: number;
  /** RAM size in bytes (RAM starts at 0x20000000). */
  readonly ramSize: number;
  /** CPU clock in MHz. */
  readonly clockMHz: number;
  /** Bytes of UICR mapped for reading and writing. */
  readonly uicrSize: number;
  /** True when NVMC.ERASEUICR erases the UICR on its own. */
  readonly eraseUicr: boolean;
  /** Maximum page erase time in ms (Zephyr `FLASH_PAGE_ERASE_MAX_TIME_US`). */
  readonly pageEraseMs: number;
  /** Word write time in µs (product specification t_WRITE). */
  readonly wordWriteUs: number;
}

/** RAM start on every nRF. */
export const RAM_BASE = 0x20000000;

/** The chips. */
export const CHIPS = {
  nrf51822: {
    name: "nRF51822",
    series: "nRF51",
    core: "Cortex-M0",
    pageSize: 1024,
    flashSize: 256 * 1024,
    ramSize: 16 * 1024,
    clockMHz: 16,
    uicrSize: 0x100,
    eraseUicr: true,
    pageEraseMs: 22.3,
    wordWriteUs: 46,
  },
  nrf52833: {
    name: "nRF52833",
    series: "nRF52",
    core: "Cortex-M4F",
    pageSize: 4096,
    flashSize: 512 * 1024,
    ramSize: 128 * 1024,
    clockMHz: 64,
    uicrSize: 0x400,
    eraseUicr: true,
    pageEraseMs: 89.7,
    wordWriteUs: 41,
  },
  nrf52840: {
    name: "nRF52840",
    series: "nRF52",
    core: "Cortex-M4F",
    pageSize: 4096,
    flashSize: 1024 * 1024,
    ramSize: 256 * 1024,
    clockMHz: 64,
    uicrSize: 0x400,
    eraseUicr: true,
    pageEraseMs: 89.7,
    wordWriteUs: 41,
  },
} as const satisfies Record<string, NrfChip>;

/**
 * nRF51 facts an image gives away (nRF51 Series Reference Manual v3.0, UICR chapter; Nordic's
 * SoftDevice firmware ids): UICR registers that exist only on nRF51 (CLENR0, RBPCONF, XTALFREQ,
 * FWID; reserved on nRF52), the vector table length (16 system + 32 interrupt entries; nRF52's
 * has 16 + 48 or more) and the RAM top of the largest nRF51 (32 KiB).
 */
export const NRF51 = {
  uicrOnly: { start: UICR_BASE, end: UICR_BASE + 0x14 },
  vectorEntries: 48,
  maxRamTop: 0x20008000,
  /** SoftDevice firmware ids (at 0x300C) of nRF51 SoftDevices. */
  softDevices: { 0x64: "S110 8.0.0", 0x67: "S130 1.0.0", 0x80: "S130 2.0.0", 0x87: "S130 2.0.1" },
} as const;

/** Where a SoftDevice's information structure says who it is (magic 0x51B1E5DB at +4). */
export const SOFTDEVICE_INFO = { magicAt: 0x3004, magic: 0x51b1e5db, fwidAt: 0x300c } as const;

/** A board: the chip it carries and the DAPLink board ids that identify it. */
export interface NrfBoard {
  /** Target name. */
  readonly target: string;
  /** Other names. */
  readonly aliases: readonly string[];
  /** Description. */
  readonly description: string;
  /** Chip. */
  readonly chip: NrfChip;
  /** DAPLink board ids (also the Universal Hex section ids). */
  readonly boardIds: readonly number[];
  /** Short board name for messages. */
  readonly boardName: string;
}

/** The boards, one target each. */
export const BOARDS: readonly NrfBoard[] = [
  {
    target: "microbit-v1",
    aliases: ["microbit1", "nrf51822"],
    description: "BBC micro:bit V1 (nRF51822) over CMSIS-DAP",
    chip: CHIPS.nrf51822,
    boardIds: [0x9900, 0x9901],
    boardName: "micro:bit V1",
  },
  {
    target: "microbit-v2",
    aliases: ["microbit2", "nrf52833"],
    description: "BBC micro:bit V2 (nRF52833) over CMSIS-DAP",
    chip: CHIPS.nrf52833,
    boardIds: [0x9903, 0x9904, 0x9905, 0x9906],
    boardName: "micro:bit V2",
  },
  {
    target: "nrf52840",
    aliases: [],
    description: "nRF52840 over a CMSIS-DAP probe",
    chip: CHIPS.nrf52840,
    boardIds: [],
    boardName: "nRF52840",
  },
];

/** The board a DAPLink board id (e.g. `9904`) belongs to. */
export function boardForId(id: string | number): NrfBoard | undefined {
  const n = typeof id === "number" ? id : parseInt(id, 16);
  return BOARDS.find((b) => b.boardIds.includes(n));
}

/** Flash and UICR regions of a chip with `pageSize`×`pages` of code flash. */
export function layoutOf(chip: NrfChip, pageSize = chip.pageSize, pages?: number): FlashLayout {
  return {
    regions: [
      {
        name: "flash",
        start: 0,
        size: pageSize * (pages ?? chip.flashSize / pageSize),
        blockSize: pageSize,
        erasedValue: 0xff,
      },
      {
        name: "uicr",
        start: UICR_BASE,
        size: chip.uicrSize,
        blockSize: chip.uicrSize,
        erasedValue: 0xff,
      },
    ],
  };
}
