/**
 * CMSIS-DAP probe transports: Linux hidraw (`hid:`) and the WebSocket probe-server client
 * (`ws://`), plus the probe-server itself.
 *
 * @module
 */
import type { Plugin } from "../../kernel/mod.ts";
import { listHidDevices, pickHidDevice } from "./discover.ts";
import { HidrawLink } from "./hidraw.ts";
import { WsDapLink } from "./ws_link.ts";
import { probeServerCommand } from "./probe_server.ts";

export {
  type HidDevice,
  isCmsisDap,
  listHidDevices,
  parseUevent,
  pickHidDevice,
} from "./discover.ts";
export { HidrawLink } from "./hidraw.ts";
export { WsDapLink } from "./ws_link.ts";
export {
  type ProbeServer,
  probeServerCommand,
  type ProbeServerOptions,
  serveProbe,
} from "./probe_server.ts";

/** Registers `hid:` and `ws://`/`wss://` CMSIS-DAP transports. */
export function dapTransports(): Plugin {
  return (host) => {
    host.registerTransport({
      scheme: "hid",
      kind: "dap",
      description: "CMSIS-DAP v1 probe on Linux hidraw (hid:, hid:/dev/hidrawN, hid:VID:PID)",
      async open(_ctx, address) {
        return HidrawLink.open(pickHidDevice(address, await listHidDevices()));
      },
    });
    for (const scheme of ["ws", "wss"]) {
      host.registerTransport({
        scheme,
        kind: "dap",
        description: "CMSIS-DAP probe shared by `deltaflash probe-server`",
        open: (_ctx, address) => WsDapLink.connect(address),
      });
    }
    host.registerCommand(probeServerCommand(host));
  };
}
