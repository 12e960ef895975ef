/**
 * The simulated Nordic chips, as data. Sources: Nordic product specifications as quoted in
 * the project's reference notes (§6.1): FICR CODEPAGESIZE/CODESIZE, page sizes, RAM sizes;
 * page-erase maxima from Zephyr `soc.h` FLASH_PAGE_ERASE_MAX_TIME_US (nRF51 22300 µs, nRF52
 * 89700 µs); word-write times nRF51 46 µs (nRF51 PS t_WRITE) and nRF52 41 µs (nRF52 PS
 * t_WRITE). DP/AP identification values as pyOCD's AP table quotes them (IDR 0x04770021 on
 * nRF51, 0x24770011 on nRF52 "AHB-AP with 0x1000 wrap", hence the 4 KiB TAR range there and
 * the 1 KiB ADIv5 minimum on nRF51); CPUIDs are the Cortex-M0 r0p0 and Cortex-M4 r0p1 values.
 *
 * Assumptions (no source in the reference): ERASEALL and ERASEUICR take one page-erase
 * time; flash has no wait states (the stubs run from RAM anyway).
 *
 * @module
 */
import { CORTEX_M0, CORTEX_M4, type CycleProfile } from "../armv6m/cycles.ts";

/** One simulated nRF chip. */
export interface NrfChip {
  /** Part name. */
  readonly name: string;
  /** Series (selects register variants such as READYNEXT and the CTRL-AP). */
  readonly family: "nrf51" | "nrf52";
  /** Code flash bytes (at 0). */
  readonly flashSize: number;
  /** Flash page bytes (FICR.CODEPAGESIZE). */
  readonly pageSize: number;
  /** RAM bytes (at 0x20000000). */
  readonly ramSize: number;
  /** UICR bytes mapped at 0x10001000. */
  readonly uicrSize: number;
  /** Core clock in Hz. */
  readonly clockHz: number;
  /** Instruction timing. */
  readonly profile: CycleProfile;
  /** Wait states added per flash access. */
  readonly flashWaitStates: number;
  /** Page erase time, µs. */
  readonly pageEraseUs: number;
  /** Word program time, µs. */
  readonly wordWriteUs: number;
  /** ERASEALL / ERASEUICR time, µs. */
  readonly eraseAllUs: number;
  /** SW-DP DPIDR. */
  readonly dpidr: number;
  /** AHB-AP IDR. */
  readonly apIdr: number;
  /** AHB-AP BASE: the first ROM table's address | format and present bits (sim/nrf/coresight.ts). */
  readonly apBase: number;
  /** TAR auto-increment range of the AHB-AP, bytes. */
  readonly tarWrap: number;
  /** SCB CPUID. */
  readonly cpuid: number;
  /** FICR.INFO.PART (nRF52) or CONFIGID.HWID (nRF51). */
  readonly part: number;
}

const NRF52_COMMON = {
  family: "nrf52",
  pageSize: 4096,
  uicrSize: 0x1000,
  clockHz: 64_000_000,
  profile: CORTEX_M4,
  flashWaitStates: 0,
  pageEraseUs: 89_700,
  wordWriteUs: 41,
  eraseAllUs: 89_700,
  dpidr: 0x2ba01477,
  apIdr: 0x24770011,
  apBase: 0xe00ff003,
  tarWrap: 4096,
  cpuid: 0x410fc241,
} as const;

/** Chip table. */
export const NRF_CHIPS: Record<string, NrfChip> = {
  nrf51822: {
    name: "nrf51822",
    family: "nrf51",
    flashSize: 256 * 1024,
    pageSize: 1024,
    ramSize: 16 * 1024,
    uicrSize: 0x100,
    clockHz: 16_000_000,
    profile: CORTEX_M0,
    flashWaitStates: 0,
    pageEraseUs: 22_300,
    wordWriteUs: 46,
    eraseAllUs: 22_300,
    dpidr: 0x0bb11477,
    apIdr: 0x04770021,
    apBase: 0xf0000003,
    tarWrap: 1024,
    cpuid: 0x410cc200,
    part: 0x0001,
  },
  nrf52833: {
    name: "nrf52833",
    ...NRF52_COMMON,
    flashSize: 512 * 1024,
    ramSize: 128 * 1024,
    part: 0x52833,
  },
  nrf52840: {
    name: "nrf52840",
    ...NRF52_COMMON,
    flashSize: 1024 * 1024,
    ramSize: 256 * 1024,
    part: 0x52840,
  },
};

/** Microseconds → core cycles for a chip. */
export function usToCycles(chip: NrfChip, us: number): number {
  return Math.round((us * chip.clockHz) / 1e6);
}
