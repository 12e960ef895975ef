/**
 * Cortex-M debug access: the one interface the nRF (and any Cortex-M) flashing code uses,
 * implemented by the CMSIS-DAP stack and by the GDB remote transport.
 *
 * @module
 */
import type { LinkStats, RunContext } from "../../kernel/mod.ts";
import type { WordSpan } from "./spans.ts";

export type { WordSpan } from "./spans.ts";

/** One 32-bit word to store. */
export interface WordWrite {
  /** Word-aligned address. */
  readonly address: number;
  /** Value. */
  readonly value: number;
}

/** Core register numbers as in DCRSR.REGSEL (r0–r12, sp=13, lr=14, pc=15, xpsr=16). */
export const Reg = {
  R0: 0,
  R1: 1,
  R2: 2,
  R3: 3,
  SP: 13,
  LR: 14,
  PC: 15,
  XPSR: 16,
} as const;

/** A function to run on the target: registers set, then run until it halts (bkpt). */
export interface RunFunctionRequest {
  /** Entry address (Thumb bit is set by the implementation where needed). */
  readonly entry: number;
  /** Initial stack pointer. */
  readonly sp: number;
  /** r0–r3. */
  readonly args: readonly number[];
  /** Return address; the function must halt with `bkpt` at or before it. */
  readonly lr: number;
  /** Maximum time to wait for the halt, in ms (on the run's clock). */
  readonly timeoutMs: number;
}

/** Memory and core access to one halted-or-running Cortex-M core. */
export interface CortexMDebug {
  /** Human-readable description of the link (e.g. `CMSIS-DAP sim:microbit-v2`). */
  readonly description: string;
  /** Reads `length` bytes (address and length multiples of 4). */
  readMemory(ctx: RunContext, address: number, length: number): Promise<Uint8Array>;
  /** Writes bytes (address and length multiples of 4). */
  writeMemory(ctx: RunContext, address: number, data: Uint8Array): Promise<void>;
  /**
   * Stores `writes`, then reads every span, in as few exchanges as the link allows. Each
   * result is the span's words, or the error reading that span met (a failed write throws).
   */
  readSpans(
    ctx: RunContext,
    spans: readonly WordSpan[],
    writes?: readonly WordWrite[],
  ): Promise<(Uint32Array | Error)[]>;
  /** Reads one 32-bit word. */
  readWord(ctx: RunContext, address: number): Promise<number>;
  /** Writes one 32-bit word. */
  writeWord(ctx: RunContext, address: number, value: number): Promise<void>;
  /** Reads a core register (core must be halted). */
  readRegister(ctx: RunContext, reg: number): Promise<number>;
  /** Writes a core register (core must be halted). */
  writeRegister(ctx: RunContext, reg: number, value: number): Promise<void>;
  /** Halts the core. */
  halt(ctx: RunContext): Promise<void>;
  /** Resumes the core. */
  resume(ctx: RunContext): Promise<void>;
  /** True when halted. */
  isHalted(ctx: RunContext): Promise<boolean>;
  /** Resets and halts at the reset vector. */
  resetAndHalt(ctx: RunContext): Promise<void>;
  /** Resets and lets the core run. */
  reset(ctx: RunContext): Promise<void>;
  /** Sets registers, resumes, waits for the halt; returns r0. */
  runFunction(ctx: RunContext, request: RunFunctionRequest): Promise<number>;
  /** Link counters. */
  stats?(): LinkStats;
  /** Releases the link. */
  close(): Promise<void>;
}

/** Reads any byte range through word-aligned debug reads (flash read-back for `read`). */
export async function readBytes(
  core: CortexMDebug,
  ctx: RunContext,
  address: number,
  length: number,
): Promise<Uint8Array> {
  const a = address & ~3, end = (address + length + 3) & ~3;
  const bytes = await core.readMemory(ctx, a, end - a);
  return bytes.subarray(address - a, address - a + length);
}
