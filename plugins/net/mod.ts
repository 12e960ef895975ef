/**
 * The network serial plugin: `rfc2217://host:port` (Telnet Com Port Control, e.g. ser2net)
 * and `socket://host:port` (raw TCP).
 *
 * @module
 */
import type { Plugin } from "../../kernel/mod.ts";
import { openRfc2217 } from "./rfc2217.ts";
import { openSocketPort } from "./socket.ts";

export { CONTROL, CPO, openRfc2217, type Rfc2217Options, Rfc2217Port } from "./rfc2217.ts";
export { openSocketPort, SocketPort } from "./socket.ts";
export { parseHostPort } from "./tcp_link.ts";

/** Registers the `rfc2217` and `socket` serial transports. */
export function net(): Plugin {
  return (host) => {
    host.registerTransport({
      scheme: "rfc2217",
      kind: "serial",
      description: "RFC 2217 remote serial port with baud and DTR/RTS control (ser2net)",
      open: (_ctx, address, options) => openRfc2217(address, { baudRate: options.baudRate }),
    });
    host.registerTransport({
      scheme: "socket",
      kind: "serial",
      description: "raw TCP serial bridge (no modem lines)",
      open: (_ctx, address, options) => openSocketPort(address, options.baudRate),
    });
  };
}
