/**
 * Cortex-M debug over the GDB remote serial protocol: the protocol client, the
 * {@link CortexMDebug} implementation, and the `gdb:`/`bmp:` transport plugin.
 *
 * @module
 */
import { type PluginHost, type RunContext, schemeOf } from "../../kernel/mod.ts";
import { GdbCortexMDebug, type GdbDebugOptions } from "./debug.ts";

export * from "./codec.ts";
export { type RequestOptions, RspClient, type RspClientOptions } from "./client.ts";
export { parseStopReply, SIGINT, SIGTRAP, type StopReply } from "./stop_reply.ts";
export { classicArmLayout, type RegisterInfo, type RegisterLayout } from "./registers.ts";
export { GdbCortexMDebug, type GdbDebugOptions } from "./debug.ts";
export { bmpSerialAddress, openTcpStream, parseGdbAddress } from "./links.ts";
export { gdbTransport } from "./plugin.ts";

/** True for probe addresses served by a GDB link (`gdb://…`, `bmp:…`). */
export function isGdbProbe(address: string): boolean {
  const s = schemeOf(address);
  return s === "gdb" || s === "bmp";
}

/**
 * Opens a GDB probe address through the host's `gdb` transports and connects a Cortex-M
 * debug session over it (a Black Magic Probe is scanned and attached first).
 */
export async function openGdbCortexM(
  ctx: RunContext,
  host: Pick<PluginHost, "openTransport">,
  address: string,
  options: GdbDebugOptions = {},
): Promise<GdbCortexMDebug> {
  const stream = await host.openTransport(ctx, "gdb", address, {});
  const bmp = schemeOf(address) === "bmp";
  return await GdbCortexMDebug.connect(ctx, stream, {
    description: `GDB ${address}`,
    attachFirstTarget: bmp,
    ...options,
  });
}
