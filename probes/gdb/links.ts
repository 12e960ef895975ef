/**
 * Byte streams for GDB remote links: TCP (`gdb://host:port`, a gdbserver such as QEMU,
 * OpenOCD or pyOCD) and a Black Magic Probe's GDB serial port (`bmp:/dev/ttyACM0`).
 *
 * @module
 */
import { type ByteStream, DeviceError, UsageError } from "../../kernel/mod.ts";

/** Host and port of a `gdb://host:port` address (host defaults to 127.0.0.1). */
export function parseGdbAddress(address: string): { hostname: string; port: number } {
  const m = /^gdb:\/\/(\[[^\]]+\]|[^:/]*)?:(\d+)\/?$/i.exec(address.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port > 0 && port < 65536)) {
    throw new UsageError(`bad GDB address '${address}'`, {
      hint: "use gdb://HOST:PORT, e.g. gdb://127.0.0.1:3333",
    });
  }
  const host = (m[1] ?? "").replace(/^\[|\]$/g, "");
  return { hostname: host || "127.0.0.1", port };
}

/** Serial device of a `bmp:` address (`bmp:/dev/ttyACM0` → `serial:/dev/ttyACM0`). */
export function bmpSerialAddress(address: string): string {
  const path = address.replace(/^bmp:(\/\/)?/i, "");
  if (!path) {
    throw new UsageError(`bad Black Magic Probe address '${address}'`, {
      hint: "use bmp:/dev/ttyACM0 (the probe's first, GDB, port)",
    });
  }
  return `serial:${path}`;
}

/** Opens a TCP connection to a gdbserver. */
export async function openTcpStream(address: string): Promise<ByteStream> {
  const { hostname, port } = parseGdbAddress(address);
  let conn: Deno.TcpConn;
  try {
    conn = await Deno.connect({ hostname, port });
  } catch (e) {
    throw new DeviceError(`cannot connect to gdbserver at ${hostname}:${port}`, {
      cause: e,
      hint: "start the gdbserver first (e.g. qemu-system-arm -M microbit -S -gdb tcp::PORT)",
    });
  }
  conn.setNoDelay(true);
  let closed = false;
  return {
    readable: conn.readable,
    writable: conn.writable,
    close() {
      if (!closed) {
        closed = true;
        try {
          conn.close();
        } catch { /* already closed by the streams */ }
      }
      return Promise.resolve();
    },
  };
}
