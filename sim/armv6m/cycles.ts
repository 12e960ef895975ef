/**
 * Cycle counts per instruction class. Cortex-M0 numbers are from the Cortex-M0 TRM (ARM DDI
 * 0432C, table 3-1 "Cortex-M0 instruction summary"); Cortex-M0+ from the Cortex-M0+ TRM
 * (DDI 0484C, table 3-1). The nRF52's Cortex-M4 runs the same Thumb-1 code; its profile
 * uses the Cortex-M4 TRM (DDI 0439B, table 3-1) with the pipeline refill P taken as 2
 * (the TRM gives 1..3) — an approximation, documented as such.
 *
 * Memory wait states are not part of the profile: regions add them (see the nRF model).
 *
 * @module
 */

/** Cycles charged per instruction class. `N` = number of registers transferred. */
export interface CycleProfile {
  /** Profile name. */
  readonly name: string;
  /** Data processing, moves, extends, REV, ADR, CPS, NOP/YIELD/SEV. */
  readonly alu: number;
  /** ADD/MOV writing the PC (a branch). */
  readonly pcWrite: number;
  /** Single load (LDR/LDRH/LDRB/LDRSH/LDRSB, literal and SP-relative too). */
  readonly load: number;
  /** Single store. */
  readonly store: number;
  /** LDM/STM/PUSH/POP base, plus one per register. */
  readonly multipleBase: number;
  /** Extra for POP that loads the PC (M0: 4+N vs 1+N). */
  readonly popPcExtra: number;
  /** Conditional branch taken. */
  readonly branchTaken: number;
  /** Conditional branch not taken. */
  readonly branchNotTaken: number;
  /** Unconditional B. */
  readonly branch: number;
  /** BL (32-bit). */
  readonly bl: number;
  /** BX / BLX. */
  readonly bx: number;
  /** MULS (1 with the fast multiplier, 32 with the small one). */
  readonly mul: number;
  /** MSR / MRS. */
  readonly msrMrs: number;
  /** DMB / DSB / ISB. */
  readonly barrier: number;
  /** WFI / WFE (before sleeping). */
  readonly waitFor: number;
}

/** Cortex-M0 (nRF51), fast multiplier. */
export const CORTEX_M0: CycleProfile = {
  name: "cortex-m0",
  alu: 1,
  pcWrite: 3,
  load: 2,
  store: 2,
  multipleBase: 1,
  popPcExtra: 3,
  branchTaken: 3,
  branchNotTaken: 1,
  branch: 3,
  bl: 4,
  bx: 3,
  mul: 1,
  msrMrs: 4,
  barrier: 4,
  waitFor: 2,
};

/** Cortex-M0+. */
export const CORTEX_M0_PLUS: CycleProfile = {
  ...CORTEX_M0,
  name: "cortex-m0+",
  pcWrite: 2,
  popPcExtra: 2,
  branchTaken: 2,
  branch: 2,
  bl: 3,
  bx: 2,
  msrMrs: 3,
  barrier: 3,
};

/** Cortex-M4 (nRF52) running Thumb-1 code; P = 2 assumed. */
export const CORTEX_M4: CycleProfile = {
  ...CORTEX_M0,
  name: "cortex-m4",
  pcWrite: 3,
  popPcExtra: 2,
  branchTaken: 3,
  branch: 3,
  bl: 3,
  bx: 3,
  msrMrs: 2,
  barrier: 3,
};
