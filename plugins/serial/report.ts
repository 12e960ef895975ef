/**
 * Data and text for `deltaflash ports [--json]`.
 *
 * @module
 */
import type { CliCommand } from "../../kernel/mod.ts";
import { usbId } from "./bridges.ts";
import { type DiscoverOptions, listPorts, type PortEntry } from "./discover.ts";

/** One port as `ports --json` prints it. */
export interface PortJson {
  path: string;
  driver: string | null;
  usbId: string | null;
  vendorId: number | null;
  productId: number | null;
  serialNumber: string | null;
  manufacturer: string | null;
  product: string | null;
  interface: number | null;
  bridge: string | null;
  families: string[];
}

/** The JSON shape of a port entry. */
export function portJson(p: PortEntry): PortJson {
  return {
    path: p.path,
    driver: p.driver ?? null,
    usbId: p.usb ? usbId(p.usb.vendorId, p.usb.productId) : null,
    vendorId: p.usb?.vendorId ?? null,
    productId: p.usb?.productId ?? null,
    serialNumber: p.usb?.serialNumber ?? null,
    manufacturer: p.usb?.manufacturer ?? null,
    product: p.usb?.product ?? null,
    interface: p.usb?.interface ?? null,
    bridge: p.bridge?.name ?? null,
    families: [...(p.bridge?.families ?? [])],
  };
}

/** Renders ports as an aligned table (or a one-line note when there are none). */
export function renderPorts(ports: readonly PortEntry[]): string {
  if (!ports.length) return "no serial ports found";
  const rows = [["PORT", "USB ID", "DRIVER", "DEVICE", "SERIAL", "FOR"]];
  for (const p of ports.map(portJson)) {
    const device = p.bridge ?? ([p.manufacturer, p.product].filter(Boolean).join(" ") || "-");
    rows.push([
      p.path,
      p.usbId ?? "-",
      p.driver ?? "-",
      device,
      p.serialNumber ?? "-",
      p.families.join(",") || "-",
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}

/** What `deltaflash ports` prints: the data for `--json` and the text table. */
export function portsReport(options: DiscoverOptions = {}): { ports: PortJson[]; text: string } {
  const entries = listPorts(options);
  return { ports: entries.map(portJson), text: renderPorts(entries) };
}

/** `deltaflash ports [--json]` as a plugin command, for a CLI that mounts registry commands. */
export function portsCommand(options: DiscoverOptions = {}): CliCommand {
  return {
    name: "ports",
    description: "list serial ports with USB ids and the targets their bridge suits",
    options: [{ flags: "--json", description: "print JSON" }],
    run(_args, opts, io) {
      const report = portsReport(options);
      io.out(opts.json ? JSON.stringify(report.ports, null, 2) : report.text);
      return Promise.resolve(0);
    },
  };
}
