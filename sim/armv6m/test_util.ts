/**
 * Helpers for the instruction tests: run a few halfwords ending in BKPT from RAM.
 *
 * @module
 */
import { type ProgramOutput, type RegisterName, runProgram } from "./run_program.ts";

/** Where test code is loaded. */
export const CODE = 0x20000000;
/** BKPT #0. */
export const BKPT = 0xbe00;

/** Runs `halfwords` (BKPT appended) from RAM with the given registers. */
export function run(
  halfwords: number[],
  registers: Partial<Record<RegisterName, number>> = {},
  memory: { address: number; data: Uint8Array }[] = [],
): ProgramOutput {
  return runProgram({ code: [...halfwords, BKPT], loadAddress: CODE, registers, memory });
}

/** NZCV of an output as a string like "nZCv" (upper case = set). */
export function flags(out: ProgramOutput): string {
  const x = out.registers.xpsr;
  return ["N", "Z", "C", "V"].map((f, i) => ((x >>> (31 - i)) & 1 ? f : f.toLowerCase()))
    .join("");
}

/** xPSR value with T set and the given flags string ("NZCV" letters that are set). */
export function psr(set: string): number {
  let v = 0x01000000;
  if (set.includes("N")) v |= 1 << 31;
  if (set.includes("Z")) v |= 1 << 30;
  if (set.includes("C")) v |= 1 << 29;
  if (set.includes("V")) v |= 1 << 28;
  return v >>> 0;
}
