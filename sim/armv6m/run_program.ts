/**
 * Runs a code fragment on the interpreter from a given register and memory state and
 * returns the final state: the entry point for cross-checking against another emulator
 * (e.g. QEMU) and for instruction tests.
 *
 * Memory map: 0x00000000–0x000FFFFF and 0x20000000–0x2003FFFF are plain RAM; the System
 * Control Space reads as zero. The program ends at a BKPT (PC left on it), a fault
 * (`fault` set), or after `maxInstructions`.
 *
 * @module
 */
import { MemoryMap, RamRegion, RazWiRegion } from "./bus.ts";
import { Cpu } from "./cpu.ts";
import { CORTEX_M0, type CycleProfile } from "./cycles.ts";
import type { FaultRecord } from "./faults.ts";

/** Register names accepted and returned by {@link runProgram}. */
export const REGISTER_NAMES = [
  "r0",
  "r1",
  "r2",
  "r3",
  "r4",
  "r5",
  "r6",
  "r7",
  "r8",
  "r9",
  "r10",
  "r11",
  "r12",
  "sp",
  "lr",
  "pc",
  "xpsr",
] as const; // deno-fmt-ignore

/** One register name. */
export type RegisterName = typeof REGISTER_NAMES[number];

/** A block of memory at an address. */
export interface MemoryBlock {
  /** Start address. */
  readonly address: number;
  /** Contents. */
  readonly data: Uint8Array;
}

/** Input of {@link runProgram}. */
export interface ProgramInput {
  /** Machine code (little-endian bytes, or 16-bit halfwords in program order). */
  readonly code: Uint8Array | readonly number[];
  /** Where the code is placed; execution starts here unless `registers.pc` says otherwise. */
  readonly loadAddress: number;
  /** Initial registers (missing ones are 0; sp defaults to 0x20040000, xpsr to T set). */
  readonly registers?: Partial<Record<RegisterName, number>>;
  /** Initial memory blocks; their final contents are returned. */
  readonly memory?: readonly MemoryBlock[];
  /** Extra ranges to return ({ address, length }). */
  readonly readBack?: readonly { address: number; length: number }[];
  /** Stop after this many instructions (default 1,000,000). */
  readonly maxInstructions?: number;
  /** Cycle profile (default Cortex-M0). */
  readonly profile?: CycleProfile;
}

/** Output of {@link runProgram}. */
export interface ProgramOutput {
  /** Final registers (pc = address of the BKPT or faulting instruction). */
  readonly registers: Record<RegisterName, number>;
  /** Final contents of `memory` and `readBack` ranges, in that order. */
  readonly memory: MemoryBlock[];
  /** Why it stopped. */
  readonly stop: "bkpt" | "fault" | "limit" | "sleep";
  /** The fault, when `stop` is "fault". */
  readonly fault: FaultRecord | null;
  /** Cycles used per the profile. */
  readonly cycles: number;
  /** Instructions executed (the BKPT excluded). */
  readonly instructions: number;
}

/** Runs `code` from the given state until BKPT, fault or the instruction limit. */
export function runProgram(input: ProgramInput): ProgramOutput {
  const code = input.code instanceof Uint8Array ? input.code : halfwordsToBytes(input.code);
  const low = new RamRegion("code", 0, 0x100000);
  const sram = new RamRegion("sram", 0x20000000, 0x40000);
  const bus = new MemoryMap().add(low).add(sram).add(new RazWiRegion("scs", 0xe0000000, 0x100000));
  const poke = (address: number, data: Uint8Array) => {
    for (let i = 0; i < data.length; i++) bus.write((address + i) >>> 0, 1, data[i]);
  };
  poke(input.loadAddress, code);
  for (const block of input.memory ?? []) poke(block.address, block.data);
  const cpu = new Cpu(bus, input.profile ?? CORTEX_M0);
  cpu.debugEnabled = true;
  const regs = input.registers ?? {};
  REGISTER_NAMES.forEach((name, i) => {
    if (name === "xpsr") cpu.xpsr = regs.xpsr ?? 0x01000000;
    else if (name === "pc") cpu.writeCoreRegister(15, regs.pc ?? input.loadAddress);
    else if (name === "sp") cpu.writeCoreRegister(13, regs.sp ?? 0x20040000);
    else cpu.writeCoreRegister(i, regs[name] ?? 0);
  });
  const limit = input.maxInstructions ?? 1_000_000;
  while (cpu.running && !cpu.sleeping && cpu.instructions < limit) cpu.step();
  const registers = {} as Record<RegisterName, number>;
  REGISTER_NAMES.forEach((name, i) => (registers[name] = cpu.readCoreRegister(i)));
  const ranges = [
    ...(input.memory ?? []).map((b) => ({ address: b.address, length: b.data.length })),
    ...(input.readBack ?? []),
  ];
  const memory = ranges.map(({ address, length }) => {
    const data = new Uint8Array(length);
    for (let i = 0; i < length; i++) data[i] = bus.read((address + i) >>> 0, 1);
    return { address, data };
  });
  const stop = cpu.fault ? "fault" : cpu.halted ? "bkpt" : cpu.sleeping ? "sleep" : "limit";
  return {
    registers,
    memory,
    stop,
    fault: cpu.fault,
    cycles: cpu.time.cycles,
    instructions: cpu.instructions - (stop === "bkpt" ? 1 : 0),
  };
}

/** Halfwords in program order → little-endian bytes. */
export function halfwordsToBytes(halfwords: readonly number[]): Uint8Array {
  const out = new Uint8Array(halfwords.length * 2);
  halfwords.forEach((h, i) => {
    out[2 * i] = h & 0xff;
    out[2 * i + 1] = (h >>> 8) & 0xff;
  });
  return out;
}
