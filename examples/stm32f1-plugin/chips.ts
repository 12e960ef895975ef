/**
 * STM32F1 facts as data. Sources: RM0008 (STM32F10x reference manual) §3.3 (FPEC registers,
 * keys), §30.1–30.2 (flash size register, unique id), §31.6.1 (DBGMCU_IDCODE); AN2606
 * (DEV_ID 0x410 = medium density); DS5319 (STM32F103x8/xB datasheet, "Flash memory
 * characteristics": t_prog 52.5 µs typical per half-word, t_ERASE 20–40 ms per page).
 *
 * @module
 */

/** One STM32F1 part. */
export interface Stm32f1Chip {
  /** Target name, e.g. `stm32f103c8`. */
  readonly target: string;
  /** Part name. */
  readonly name: string;
  /** DBGMCU_IDCODE DEV_ID. */
  readonly devId: number;
  /** Flash size in bytes (the flash size register may report more on some parts). */
  readonly flashSize: number;
  /** Page (erase unit) size. */
  readonly pageSize: number;
  /** SRAM size. */
  readonly ramSize: number;
  /** Core clock after reset (HSI), Hz. */
  readonly clockHz: number;
  /** Half-word programming time, µs. */
  readonly halfWordUs: number;
  /** Page erase time, ms. */
  readonly pageEraseMs: number;
}

/** Flash starts here (aliased at 0 when booting from flash). */
export const FLASH_BASE = 0x08000000;
/** SRAM starts here. */
export const RAM_BASE = 0x20000000;
/** DBGMCU_IDCODE (DEV_ID in bits 11:0, REV_ID in 31:16). */
export const DBGMCU_IDCODE = 0xe0042000;
/** Flash size register, KiB in bits 15:0. */
export const FLASH_SIZE_REG = 0x1ffff7e0;
/** 96-bit unique device id. */
export const UNIQUE_ID = 0x1ffff7e8;

/** The parts this plugin knows. */
export const STM32F1_CHIPS: readonly Stm32f1Chip[] = [
  {
    target: "stm32f103c8",
    name: "STM32F103C8",
    devId: 0x410,
    flashSize: 64 * 1024,
    pageSize: 1024,
    ramSize: 20 * 1024,
    clockHz: 8_000_000,
    halfWordUs: 52.5,
    pageEraseMs: 30, // midpoint of DS5319's 20–40 ms
  },
  {
    target: "stm32f103cb",
    name: "STM32F103CB",
    devId: 0x410,
    flashSize: 128 * 1024,
    pageSize: 1024,
    ramSize: 20 * 1024,
    clockHz: 8_000_000,
    halfWordUs: 52.5,
    pageEraseMs: 30,
  },
];
