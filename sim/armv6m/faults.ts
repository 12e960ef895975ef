/**
 * Fault kinds raised while executing, and the DFSR bits a halt reports.
 *
 * @module
 */

/** What went wrong when the core stopped on a fault. */
export type FaultKind = "bus" | "unaligned" | "undefined" | "invstate" | "svc" | "bkpt";

/** A recorded fault. */
export interface FaultRecord {
  /** Class of fault. */
  readonly kind: FaultKind;
  /** Address of the faulting instruction. */
  readonly pc: number;
  /** Data address for bus/unaligned faults. */
  readonly address?: number;
  /** Human-readable description. */
  readonly message: string;
}

/** Thrown by executors; turned into a recorded fault by the core's step. */
export class ExecFault extends Error {
  /** A fault of `kind`, at data `address` when there is one. */
  constructor(readonly kind: FaultKind, readonly address?: number) {
    super(kind);
  }
}

/**
 * Thrown by a bus region when an access would stall the core past the end of the current
 * run burst: the core abandons the instruction (its registers are written only at the end)
 * and retries it in the next burst, so time never runs ahead of the debugger's view.
 */
export class BusStall extends Error {
  constructor() {
    super("bus stall");
  }
}

/** Shorthand for an undefined (or UNPREDICTABLE, treated as undefined) encoding. */
export function undefinedInstruction(): never {
  throw new ExecFault("undefined");
}

/** DFSR bits (ARMv6-M ARM C1.6.1). */
export const DFSR = { HALTED: 1, BKPT: 2, DWTTRAP: 4, VCATCH: 8, EXTERNAL: 16 } as const;
