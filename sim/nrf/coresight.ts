/**
 * The CoreSight components of the simulated nRF chips, as a debugger finds them from the
 * AHB-AP's BASE register (NrfChip.apBase).
 *
 * nRF51: BASE = 0xF0000003 points at Nordic's top-level ROM table (designer JEP106 0x244, part
 * 0x001, the words at 0xF0000FE0… that the nRF51 MDK's errata checks read: part 0x01, and
 * revision nibble 7 for QFAA-H0 "r3" build codes). Its one entry leads to the Cortex-M0 ROM
 * table at 0xE00FF000 (part 0x471), whose entries are SCS (0x008), DWT (0x00A) and BPU
 * (0x00B) (Cortex-M0 TRM, ARM DDI 0432C, ROM table identification; ARMv6-M ARM, ARM DDI 0419, chapter C1).
 *
 * nRF52: BASE = 0xE00FF003, the Cortex-M4 ROM table with Nordic's identification in place of
 * Arm's (part 0x00D nRF52833, 0x008 nRF52840 — the values the nRF52 MDK errata checks compare
 * at 0xF0000FE0, where the same identification repeats), entries SCS (0x00C), DWT (0x002),
 * FPB (0x003), ITM (0x001), TPIU (0x9A1) and ETM (0x925) (Cortex-M4 TRM, ARM DDI 0439B, ROM
 * table; ARMv7-M ARM, ARM DDI 0403E, C1.2). DWT, ITM and TPIU read as zero until
 * DEMCR.TRCENA is set (ARMv7-M C1.6.5), as pyOCD and probe-rs logs of real nRF52 parts show.
 *
 * Component IDs are the values OpenOCD's `dap info`, pyOCD and Black Magic Debug print for
 * these cores (Arm designer 0x43B); the component classes and the 4 KiB blocks follow the
 * CoreSight Architecture Specification (ARM IHI 0029) and ADIv5.2 (ARM IHI 0031).
 *
 * @module
 */
import {
  type ComponentBlock,
  type ComponentIds,
  pidrBytes,
  romEntry,
} from "../armv6m/coresight.ts";
import type { NrfChip } from "./chips.ts";

const ARM = 0x43b;
const NORDIC = 0x244;
/** MEMTYPE.SYSMEM: the bus also holds system memory. */
const SYSMEM = 1;

/** Cortex-M debug component addresses (ARMv6-M / ARMv7-M PPB). */
export const PPB = {
  ITM: 0xe0000000,
  DWT: 0xe0001000,
  FPB: 0xe0002000,
  SCS: 0xe000e000,
  TPIU: 0xe0040000,
  ETM: 0xe0041000,
  ROM: 0xe00ff000,
} as const;

/** Nordic's identification block / top-level ROM table. */
export const NORDIC_ROM = 0xf0000000;

/** Part and revision of a chip's Nordic identification (PIDR0/PIDR2). */
const NORDIC_PART: Record<string, { part: number; revision: number }> = {
  nrf51822: { part: 0x001, revision: 7 },
  nrf52833: { part: 0x00d, revision: 1 },
  nrf52840: { part: 0x008, revision: 2 },
};

const generic = (part: number, revision = 0): ComponentIds => ({
  componentClass: 0xe,
  pidr: pidrBytes(ARM, part, revision),
});

/** What the device maps: the blocks (outside the SCS) and the SCS's own identification. */
export interface NrfCoreSight {
  /** Component blocks to map on the bus. */
  readonly blocks: ComponentBlock[];
  /** Identification registers of the SCS. */
  readonly scs: ComponentIds;
}

/** The components of `chip`; `traceEnabled` reads DEMCR.TRCENA (nRF52 trace blocks). */
export function nrfCoreSight(chip: NrfChip, traceEnabled: () => boolean): NrfCoreSight {
  const id = NORDIC_PART[chip.name] ?? { part: 0, revision: 0 };
  const nordic: ComponentIds = {
    componentClass: 0x1,
    pidr: pidrBytes(NORDIC, id.part, id.revision),
    word0xfcc: SYSMEM,
  };
  if (chip.family === "nrf51") {
    return {
      scs: generic(0x008),
      blocks: [
        {
          name: "rom-nordic",
          base: NORDIC_ROM,
          ids: nordic,
          entries: [romEntry(NORDIC_ROM, PPB.ROM)],
        },
        {
          name: "rom-cm0",
          base: PPB.ROM,
          ids: { componentClass: 0x1, pidr: pidrBytes(ARM, 0x471, 0), word0xfcc: SYSMEM },
          entries: [PPB.SCS, PPB.DWT, PPB.FPB].map((c) => romEntry(PPB.ROM, c)),
        },
        { name: "dwt", base: PPB.DWT, ids: generic(0x00a) },
        { name: "bpu", base: PPB.FPB, ids: generic(0x00b) },
      ],
    };
  }
  const trace = (ids: ComponentIds) => ({ ids, powered: traceEnabled });
  return {
    scs: generic(0x00c),
    blocks: [
      { name: "part-id", base: NORDIC_ROM, ids: nordic, entries: [] },
      {
        name: "rom-cm4",
        base: PPB.ROM,
        ids: nordic,
        entries: [PPB.SCS, PPB.DWT, PPB.FPB, PPB.ITM, PPB.TPIU, PPB.ETM].map((c) =>
          romEntry(PPB.ROM, c)
        ),
      },
      { name: "itm", base: PPB.ITM, ...trace(generic(0x001, 3)) },
      { name: "dwt", base: PPB.DWT, ...trace(generic(0x002, 3)) },
      { name: "fpb", base: PPB.FPB, ids: generic(0x003, 2) },
      {
        name: "tpiu",
        base: PPB.TPIU,
        ...trace({ componentClass: 0x9, pidr: pidrBytes(ARM, 0x9a1, 0), word0xfcc: 0x11 }),
      },
      {
        name: "etm",
        base: PPB.ETM,
        ids: { componentClass: 0x9, pidr: pidrBytes(ARM, 0x925, 0), word0xfcc: 0x13 },
      },
    ],
  };
}
