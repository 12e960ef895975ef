/**
 * The debug-probe layers for plugin authors: the Cortex-M debug interface, its CMSIS-DAP
 * implementation (wire protocol, probe, ADI port) and its GDB remote implementation, and
 * {@link openProbe} / {@link openCortexM}, which pick the layer for an address through the
 * registry: the kind of link (`dap` or `gdb`) registered for its scheme decides.
 *
 * ```ts ignore
 * import { openCortexM } from "deltaflash/probes";
 * const core = await openCortexM(ctx, host, options.probe ?? "hid:", { target: "my-chip" });
 * ```
 *
 * @module
 */
import { NotFoundError, type PluginHost, type RunContext, schemeOf } from "../kernel/mod.ts";
import type { CortexMDebug } from "./cortexm/debug.ts";
import { DapCortexM } from "./dap/cortexm.ts";
import { DapProbe } from "./dap/probe.ts";
import { type GdbCortexMDebug, openGdbCortexM } from "./gdb/mod.ts";

export * from "./cortexm/debug.ts";
export * from "./dap/mod.ts";
export * from "./gdb/mod.ts";

/** The host features a probe layer needs. */
export type ProbeHost = Pick<PluginHost, "openTransport" | "transportKinds">;

/**
 * An opened probe: a CMSIS-DAP probe (the caller may ask it for its board id before bringing
 * up the core) or a Cortex-M debug session over a GDB server.
 */
export type ProbeSession =
  | { readonly kind: "dap"; readonly probe: DapProbe }
  | { readonly kind: "gdb"; readonly core: GdbCortexMDebug };

/** Options for {@link openProbe}. */
export interface OpenProbeOptions {
  /** Target name (simulated probes pick their board by it). */
  readonly target?: string;
}

/**
 * Opens the probe at `address` through the transport registered for its scheme: a `dap`
 * link becomes a {@link DapProbe}, a `gdb` link a {@link GdbCortexMDebug} session.
 */
export async function openProbe(
  ctx: RunContext,
  host: ProbeHost,
  address: string,
  options: OpenProbeOptions = {},
): Promise<ProbeSession> {
  const kind = host.transportKinds(address).find((k) => k === "dap" || k === "gdb");
  if (kind === "gdb") return { kind, core: await openGdbCortexM(ctx, host, address) };
  if (kind === "dap") {
    const link = await host.openTransport(ctx, "dap", address, { target: options.target });
    return { kind, probe: new DapProbe(link) };
  }
  throw new NotFoundError("probe transport", `${schemeOf(address)}:`, [], {
    hint: "use a CMSIS-DAP address (hid:, ws://, sim:) or a GDB server (gdb://host:port, " +
      "bmp:/dev/ttyACM0); plugins may add more",
  });
}

/** Options for {@link openCortexM}. */
export interface OpenCortexMOptions extends OpenProbeOptions {
  /** SWD clock for CMSIS-DAP probes, Hz. */
  readonly clockHz?: number;
}

/** Opens the probe at `address` and brings up its Cortex-M debug interface. */
export async function openCortexM(
  ctx: RunContext,
  host: ProbeHost,
  address: string,
  options: OpenCortexMOptions = {},
): Promise<CortexMDebug> {
  const session = await openProbe(ctx, host, address, options);
  if (session.kind === "gdb") return session.core;
  try {
    return await DapCortexM.connect(ctx, session.probe, {
      clockHz: options.clockHz,
      description: `CMSIS-DAP ${address}`,
    });
  } catch (e) {
    await session.probe.close().catch(() => {});
    throw e;
  }
}
