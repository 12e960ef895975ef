/**
 * The serial plugin: opens real serial ports for plain device paths (`/dev/ttyUSB0`) and
 * `serial:` addresses (`serial:/dev/ttyACM0`, or `serial:auto` to pick the one port that
 * suits the target), and exports discovery for `deltaflash ports`.
 *
 * @module
 */
import type { OpenOptions, Plugin, RunContext, SerialPortLike } from "../../kernel/mod.ts";
import { UsageError } from "../../kernel/mod.ts";
import { familyOfTarget } from "./bridges.ts";
import { listPorts, pickPort, type PortEntry } from "./discover.ts";
import { openSerialPort } from "./port.ts";
import { portsCommand } from "./report.ts";

export { type Bridge, BRIDGES, familyOfTarget, findBridge, usbId } from "./bridges.ts";
export {
  describeBrief,
  type DiscoverOptions,
  listPorts,
  pickPort,
  PortChoiceError,
  type PortEntry,
} from "./discover.ts";
export { type PortJson, portJson, portsReport, renderPorts } from "./report.ts";
export { FfiSerialPort, openSerialPort, type SerialOpenOptions } from "./port.ts";
export { E_SIGNALS_UNSUPPORTED, SignalsUnsupportedError } from "./diagnose.ts";
export { openPty, type PtyMaster } from "./pty.ts";

/** Splits an address into a device path (or `auto`) and an optional `?baud=` rate. */
export function parseSerialAddress(address: string): { path: string; baud?: number } {
  const [head, query = ""] = address.split("?", 2);
  let path = head.replace(/^(serial|file):(\/\/)?/i, "");
  if (path === "" || path === "auto") path = "auto";
  const b = new URLSearchParams(query).get("baud");
  const baud = b === null ? undefined : Number(b);
  if (baud !== undefined && !(Number.isInteger(baud) && baud > 0)) {
    throw new UsageError(`bad baud rate in ${address}`, {
      hint: "e.g. serial:/dev/ttyUSB0?baud=921600",
    });
  }
  return { path, baud };
}

function realPath(p: string): string {
  try {
    return Deno.realPathSync(p);
  } catch {
    return p;
  }
}

/** Opens a serial address: a path, or `auto` (the one suitable port). */
export function openSerialAddress(
  ctx: RunContext,
  address: string,
  options: OpenOptions,
): SerialPortLike {
  const { path, baud } = parseSerialAddress(address);
  let entry: PortEntry | undefined;
  if (path === "auto") {
    // Auto-pick only among USB ports, as espflash does: on-board UARTs (ttyS*) are not boards.
    entry = pickPort(
      listPorts().filter((p) => p.usb),
      options.target ? familyOfTarget(options.target) : undefined,
    );
    ctx.log.info(`using serial port ${entry.path}`);
  } else {
    const real = realPath(path);
    entry = listPorts().find((p) => realPath(p.path) === real);
  }
  const port = openSerialPort(entry?.path ?? path, {
    baudRate: options.baudRate ?? baud,
    info: entry?.usb ? { usbVendorId: entry.usb.vendorId, usbProductId: entry.usb.productId } : {},
  });
  ctx.log.debug(`opened ${port.path} at ${port.baudRate} baud`);
  return port;
}

/** Registers the `file` and `serial` transports for serial links. */
export function serial(): Plugin {
  return (host) => {
    for (const scheme of ["file", "serial"] as const) {
      host.registerTransport({
        scheme,
        kind: "serial",
        description: scheme === "file"
          ? "serial device path (/dev/ttyUSB0, /dev/ttyACM0)"
          : "serial:<path> or serial:auto (the one port that suits the target)",
        open: (ctx, address, options) => Promise.resolve(openSerialAddress(ctx, address, options)),
      });
    }
    host.registerCommand(portsCommand());
  };
}
