/**
 * The `sim:` transports as the built-in set registers them: the simulators are imported only
 * when a `sim:` address is opened, so a run on real hardware never loads them.
 *
 * @module
 */
import type { Plugin } from "../kernel/mod.ts";

/** The `sim:` serial transport: a simulated ESP32-family chip (ROM loader + flasher stub). */
export function lazyEspSim(): Plugin {
  return (host) =>
    host.registerTransport({
      scheme: "sim",
      kind: "serial",
      description: "simulated ESP32-family chip (ROM loader + flasher stub)",
      open: async (ctx, address, options) => {
        const { sharedEspSimBank } = await import("../sim/esp/plugin.ts");
        return await sharedEspSimBank.open(ctx, address, options);
      },
    });
}

/** The `sim:` DAP transport: a simulated DAPLink board (micro:bit, nRF52840-DK, plugins'). */
export function lazyDapSim(): Plugin {
  return (host) =>
    host.registerTransport({
      scheme: "sim",
      kind: "dap",
      description: "simulated DAPLink probe with an nRF51/nRF52 (micro:bit) target",
      open: async (ctx, address, options) => {
        const { sharedDapSimBank } = await import("../sim/boards/plugin.ts");
        return await sharedDapSimBank.open(ctx, address, options);
      },
    });
}
