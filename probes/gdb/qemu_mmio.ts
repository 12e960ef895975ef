/**
 * Peripheral writes on QEMU. QEMU's gdbstub performs memory writes as debug writes to ROM
 * and RAM only: a write to an MMIO register (NVMC, UICR, the System Control Space) is
 * dropped while the reply is still `OK` (seen with QEMU 7.2 `-M microbit`; QEMU's
 * `cpu_memory_rw_debug` writes through `address_space_write_rom`). A real SWD probe writes
 * such registers over the AHB-AP, so to behave the same the word is stored by the CPU
 * itself: a two-instruction routine (`str r1, [r0]; bkpt`) in scratch RAM, with the core's
 * registers and the scratch bytes put back afterwards.
 *
 * @module
 */
import type { RunContext } from "../../kernel/mod.ts";
import { type CortexMDebug, Reg } from "../cortexm/debug.ts";

/** Default scratch: the last 16 bytes of the 16 KiB RAM of the smallest part (nRF51822). */
export const DEFAULT_STORE_SCRATCH = 0x20003ff0;

/** True for addresses QEMU's gdbstub cannot write (anything but code memory and SRAM). */
export function isMmio(address: number): boolean {
  return address >= 0x10000000 && !(address >= 0x20000000 && address < 0x40000000);
}

/** `str r1, [r0]` then `bkpt #0`. */
const STORE = Uint8Array.of(0x01, 0x60, 0x00, 0xbe);

/** Stores `value` at `address` with a CPU store, preserving the core's visible state. */
export async function storeWordViaCpu(
  ctx: RunContext,
  core: CortexMDebug,
  address: number,
  value: number,
  scratch = DEFAULT_STORE_SCRATCH,
): Promise<void> {
  const saved: [number, number][] = [];
  for (const r of [Reg.R0, Reg.R1, Reg.SP, Reg.LR, Reg.PC, Reg.XPSR]) {
    saved.push([r, await core.readRegister(ctx, r)]);
  }
  const bytes = await core.readMemory(ctx, scratch, STORE.length);
  await core.writeMemory(ctx, scratch, STORE);
  try {
    await core.runFunction(ctx, {
      entry: scratch,
      sp: saved[2][1],
      args: [address >>> 0, value >>> 0],
      lr: (scratch + 2) | 1,
      timeoutMs: 1000,
    });
  } finally {
    await core.writeMemory(ctx, scratch, bytes);
    for (const [r, v] of saved) await core.writeRegister(ctx, r, v);
  }
}
