/**
 * What one ESP chip file states: identity, the loader's and eFuse readers' facts, and the
 * image tools' facts. {@link defineChip} spreads the identity into both views, so each fact
 * is written once per chip.
 *
 * @module
 */
import type { EfuseMap } from "../efuse.ts";

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

/** Identity every view of a chip shares. */
interface ChipIdentity {
  /** Target name, e.g. `esp32c3`. */
  readonly target: string;
  /** Marketing name, e.g. `ESP32-C3`. */
  readonly name: string;
  /** IMAGE_CHIP_ID (image header, GET_SECURITY_INFO). */
  readonly chipId: number;
  /** Where the second-stage bootloader lives in flash. */
  readonly bootloaderOffset: number;
}

/** The contents of one chip file. */
export interface ChipFile extends ChipIdentity {
  /** Loader and eFuse facts; absent for chips only the image tools know. */
  readonly loader?: Omit<EspChip, keyof ChipIdentity>;
  /** Image facts. */
  readonly image: Omit<EspImageChip, "name" | "display" | "imageChipId" | "bootloaderOffset">;
}

/** One chip, as the loader and as the image tools see it. */
export interface EspChipFacts {
  /** Loader and eFuse view (absent for chips the loader does not support). */
  readonly loader?: EspChip;
  /** Image view. */
  readonly image: EspImageChip;
}

/** Expands a chip file into its views. */
export function defineChip(file: ChipFile): EspChipFacts {
  const { target, name, chipId, bootloaderOffset } = file;
  return {
    loader: file.loader && { target, name, chipId, bootloaderOffset, ...file.loader },
    image: { name: target, display: name, imageChipId: chipId, bootloaderOffset, ...file.image },
  };
}
