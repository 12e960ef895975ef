/**
 * Which nRF target a CMSIS-DAP probe serves, from the board id DAPLink reports (as pyOCD
 * reads it), so a run needs no `--target`.
 *
 * @module
 */
import type { PluginHost, RunContext, TargetDetector } from "../../kernel/mod.ts";
import { DapProbe } from "../../probes/dap/probe.ts";
import { isGdbProbe } from "../../probes/gdb/mod.ts";
import { boardForId } from "./chips.ts";

/** The target the probe's board id names; undefined for an unknown id or a GDB server. */
export function nrfDetector(host: PluginHost): TargetDetector {
  return {
    name: "dap-board-id",
    link: "probe",
    async detect(ctx: RunContext, address: string) {
      if (isGdbProbe(address)) return undefined;
      const probe = new DapProbe(await host.openTransport(ctx, "dap", address, {}));
      try {
        await probe.drain();
        const id = await probe.boardId(ctx);
        return id ? boardForId(id)?.target : undefined;
      } finally {
        await probe.close().catch(() => {});
      }
    },
  };
}
