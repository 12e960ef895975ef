/**
 * The core state the instruction implementations work on. The decoder and the `exec_*`
 * modules see the core only through this interface, so the core (`cpu.ts`), which runs the
 * decoder, and the decoder do not import each other.
 *
 * @module
 */
import type { Bus } from "./bus.ts";
import type { CycleProfile } from "./cycles.ts";

/** Shared time base in core clock cycles (regions add wait states and stalls to it). */
export interface CycleClock {
  /** Cycles since the device was created. */
  cycles: number;
}

/** An ARMv6-M core as instructions see it (implemented by `Cpu`). */
export interface CoreState {
  /** r0–r15; r13 is the active SP, r15 the address of the next instruction. */
  readonly r: Uint32Array;
  /** APSR.N. */
  n: boolean;
  /** APSR.Z. */
  z: boolean;
  /** APSR.C. */
  c: boolean;
  /** APSR.V. */
  v: boolean;
  /** EPSR.T. */
  t: boolean;
  /** PRIMASK. */
  primask: number;
  /** CONTROL. */
  control: number;
  /** Address of the executing instruction. */
  pc: number;
  /** Sleeping in WFI/WFE. */
  sleeping: boolean;
  /** The event register WFE consumes and SEV sets. */
  eventRegister: boolean;
  /** DHCSR.C_DEBUGEN: BKPT halts instead of faulting. */
  debugEnabled: boolean;
  /** End of the current run burst, in cycles. */
  runUntil: number;
  /** Cycle counter. */
  readonly time: CycleClock;
  /** Cycle costs. */
  readonly profile: CycleProfile;
  /** The bus. */
  readonly bus: Bus;
  /** xPSR as read through MRS. */
  xpsr: number;
  /** Main stack pointer. */
  msp: number;
  /** Process stack pointer. */
  psp: number;
  /** Register read as an operand (the PC reads as the instruction address + 4). */
  reg(n: number): number;
  /** Sets N and Z from a result. */
  setNZ(result: number): void;
  /** Writes the PC as BX does. */
  bxWritePc(value: number): void;
  /** Aligned data read. */
  load(address: number, size: 1 | 2 | 4): number;
  /** Aligned data write. */
  store(address: number, size: 1 | 2 | 4, value: number): void;
  /** Writes CONTROL as MSR does. */
  writeControl(value: number): void;
  /** Enters debug state. */
  halt(reason: number): void;
}
