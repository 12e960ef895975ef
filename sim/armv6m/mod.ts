/**
 * ARMv6-M (Cortex-M0/M0+) Thumb interpreter with cycle counts, a memory bus shared with a
 * debug port, and {@link runProgram} for running fragments from a given state.
 *
 * @module
 */
export * from "./bus.ts";
export * from "./cpu.ts";
export * from "./cycles.ts";
export * from "./run_program.ts";
export * from "./debug.ts";
export * from "./coresight.ts";
