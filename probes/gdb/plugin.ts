/**
 * The GDB transport plugin: `gdb://host:port` (TCP gdbserver) and `bmp:/dev/ttyACM0` (Black
 * Magic Probe) as links of kind `gdb`.
 *
 * @module
 */
import type { Plugin, PluginHost } from "../../kernel/mod.ts";
import { bmpSerialAddress, openTcpStream } from "./links.ts";

/** Registers the `gdb:` and `bmp:` transports. */
export function gdbTransport(): Plugin {
  return (host: PluginHost) => {
    host.registerTransport({
      scheme: "gdb",
      kind: "gdb",
      description: "GDB remote protocol over TCP (QEMU, OpenOCD, pyOCD)",
      open: (_ctx, address) => openTcpStream(address),
    });
    host.registerTransport({
      scheme: "bmp",
      kind: "gdb",
      description: "Black Magic Probe GDB serial port",
      open: (ctx, address, options) =>
        host.openTransport(ctx, "serial", bmpSerialAddress(address), options),
    });
  };
}
