/**
 * Catching faults of a function run on a core without halting debug (QEMU): a breakpoint
 * on the HardFault handler turns "the code faulted and the firmware's handler spins" into
 * an immediate, explained error instead of a timeout. ARMv6-M has no VTOR: the vector table
 * is at 0 and HardFault is entry 3 (0x0C); the exception frame holds r0–r3, r12, lr, pc, xpsr.
 *
 * @module
 */
import { DeviceError, type RunContext } from "../../kernel/mod.ts";
import { type CortexMDebug, Reg } from "../cortexm/debug.ts";

/** Entry of the HardFault handler when the vector table points into code memory. */
export async function hardFaultEntry(
  ctx: RunContext,
  core: CortexMDebug,
): Promise<number | undefined> {
  const vector = await core.readWord(ctx, 0x0c).catch(() => undefined);
  if (vector === undefined || !(vector & 1) || vector >= 0x20000000) return undefined;
  return vector & ~1;
}

/** The error for a function that entered HardFault, with the faulting pc from the frame. */
export async function faultError(
  ctx: RunContext,
  core: CortexMDebug,
  entry: number,
): Promise<DeviceError> {
  const sp = await core.readRegister(ctx, Reg.SP);
  const frame = await core.readMemory(ctx, sp & ~3, 32).catch(() => undefined);
  const word = (i: number) => new DataView(frame!.buffer, frame!.byteOffset).getUint32(i * 4, true);
  const at = frame ? ` at pc 0x${word(6).toString(16)} (lr 0x${word(5).toString(16)})` : "";
  return new DeviceError(
    `${core.description}: function at 0x${entry.toString(16)} took a HardFault${at}`,
    { hint: "a bad memory access or instruction in the code that was run" },
  );
}
