/**
 * Where the stubs, stack, hash results and page buffers live in target RAM. Fits the
 * smallest part (nRF51822, 16 KiB): hash stub 0x000–0x0FF, program stub 0x100–0x1FF, stack
 * below 0x400, hash results 0x400–0xFFF (384 pages per call), page buffers from 0x1000 (the
 * first one holds the hash descriptors and progress word while hashing).
 *
 * @module
 */
import { RAM_BASE } from "./chips.ts";

/** RAM plan for a chip with `pageSize` pages. */
export interface RamPlan {
  /** Hash stub entry. */
  readonly hashStub: number;
  /** Program stub entry. */
  readonly programStub: number;
  /** Initial stack pointer. */
  readonly stackTop: number;
  /** Hash results area. */
  readonly hashOut: number;
  /** Hash results the area holds (8 bytes each). */
  readonly hashSlots: number;
  /** Hash descriptors (12 bytes each) the first buffer holds, besides the end marker and progress. */
  readonly hashDescriptors: number;
  /** The two page buffers. */
  readonly buffers: readonly [number, number];
}

/** The RAM plan (checked against the chip's RAM size by the caller). */
export function ramPlan(pageSize: number): RamPlan {
  return {
    hashStub: RAM_BASE,
    programStub: RAM_BASE + 0x100,
    stackTop: RAM_BASE + 0x400,
    hashOut: RAM_BASE + 0x400,
    hashSlots: (0x1000 - 0x400) / 8,
    hashDescriptors: Math.floor((pageSize - 8) / 12) - 1,
    buffers: [RAM_BASE + 0x1000, RAM_BASE + 0x1000 + pageSize],
  };
}

/** RAM bytes the plan needs. */
export function ramNeeded(pageSize: number): number {
  return 0x1000 + 2 * pageSize;
}
