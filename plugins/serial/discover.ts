/**
 * Serial port discovery from sysfs, without udev: each `/sys/class/tty/<name>` with a
 * `device` link is a real port; walking up from that device reaches the USB interface
 * (bInterfaceNumber) and the USB device (idVendor, idProduct, serial, manufacturer, product).
 *
 * @module
 */
import { DeviceError, UsageError } from "../../kernel/mod.ts";
import { type Bridge, findBridge, usbId } from "./bridges.ts";

/** A discovered port. */
export interface PortEntry {
  /** Device path, e.g. `/dev/ttyUSB0`. */
  readonly path: string;
  /** Kernel driver bound to the port's device (`cp210x`, `cdc_acm`, `ftdi_sio`…). */
  readonly driver?: string;
  /** USB identity, for USB ports. */
  readonly usb?: {
    readonly vendorId: number;
    readonly productId: number;
    readonly serialNumber?: string;
    readonly manufacturer?: string;
    readonly product?: string;
    /** Interface number on a multi-port device. */
    readonly interface?: number;
  };
  /** The bridge, when it is a known one. */
  readonly bridge?: Bridge;
}

/** Where to look (tests point these at a fake tree). */
export interface DiscoverOptions {
  /** sysfs mount point (default `/sys`). */
  sysRoot?: string;
  /** Device directory (default `/dev`). */
  devRoot?: string;
}

function read(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path).trim();
  } catch {
    return undefined;
  }
}

function basename(p: string): string {
  return p.replace(/\/+$/, "").split("/").pop() ?? p;
}

/** Lists serial ports, USB ones first; an empty list when there are none. */
export function listPorts(options: DiscoverOptions = {}): PortEntry[] {
  const sys = options.sysRoot ?? "/sys";
  const dev = options.devRoot ?? "/dev";
  const out: PortEntry[] = [];
  let names: string[];
  try {
    names = [...Deno.readDirSync(`${sys}/class/tty`)].map((e) => e.name);
  } catch {
    return [];
  }
  for (const name of names) {
    const entry = portEntry(`${sys}/class/tty/${name}`, `${dev}/${name}`);
    if (entry) out.push(entry);
  }
  const key = (p: PortEntry) =>
    `${p.usb ? 0 : 1}${p.path.replace(/\d+$/, (d) => d.padStart(4, "0"))}`;
  return out.sort((a, b) => key(a).localeCompare(key(b)));
}

function portEntry(classDir: string, path: string): PortEntry | undefined {
  let device: string;
  try {
    device = Deno.realPathSync(`${classDir}/device`);
  } catch {
    return undefined; // virtual terminals, ptys and consoles have no device
  }
  // 8250 slots with no UART behind them report type 0 (PORT_UNKNOWN).
  if (read(`${classDir}/type`) === "0") return undefined;
  const driver = driverOf(device);
  let iface: number | undefined;
  let dir = device;
  for (let i = 0; i < 8 && dir.length > 1; i++, dir = dir.replace(/\/[^/]+$/, "")) {
    const n = read(`${dir}/bInterfaceNumber`);
    if (n !== undefined && iface === undefined) iface = parseInt(n, 16);
    const vid = read(`${dir}/idVendor`), pid = read(`${dir}/idProduct`);
    if (vid && pid) {
      const vendorId = parseInt(vid, 16), productId = parseInt(pid, 16);
      return {
        path,
        driver,
        usb: {
          vendorId,
          productId,
          serialNumber: read(`${dir}/serial`),
          manufacturer: read(`${dir}/manufacturer`),
          product: read(`${dir}/product`),
          interface: iface,
        },
        bridge: findBridge(vendorId, productId),
      };
    }
  }
  return { path, driver };
}

/** The bound driver; skips the serial-base `port`/`ctrl` layers Linux 6.5 put in between. */
function driverOf(device: string): string | undefined {
  let dir = device;
  for (let i = 0; i < 3; i++, dir = dir.replace(/\/[^/]+$/, "")) {
    let name: string;
    try {
      name = basename(Deno.readLinkSync(`${dir}/driver`));
    } catch {
      return undefined;
    }
    if (name !== "port" && name !== "ctrl") return name;
  }
  return undefined;
}

/** More than one (or no) port could be meant; lists what was found. */
export class PortChoiceError extends UsageError {
  constructor(readonly candidates: readonly PortEntry[], family?: string) {
    super(
      `${candidates.length} serial ports found${family ? ` (none singled out for ${family})` : ""}`,
      { hint: `choose one with --port: ${candidates.map(describeBrief).join("; ")}` },
    );
  }
}

/**
 * Picks the port to use: the only candidate; else the only one whose known bridge suits
 * `family`; else a {@link PortChoiceError} listing the candidates.
 */
export function pickPort(candidates: readonly PortEntry[], family?: string): PortEntry {
  if (candidates.length === 0) {
    throw new DeviceError("no serial port found", {
      code: "E_PORT_NOT_FOUND",
      hint: "connect the board (check the cable carries data) or give --port",
    });
  }
  if (candidates.length === 1) return candidates[0];
  const suited = family ? candidates.filter((p) => p.bridge?.families.includes(family)) : [];
  if (suited.length === 1) return suited[0];
  throw new PortChoiceError(candidates, family);
}

/** `path (bridge vid:pid serial)` in one line. */
export function describeBrief(p: PortEntry): string {
  if (!p.usb) return `${p.path}${p.driver ? ` (${p.driver})` : ""}`;
  const what = p.bridge?.name ?? p.usb.product ?? "USB serial";
  const sn = p.usb.serialNumber ? ` sn ${p.usb.serialNumber}` : "";
  return `${p.path} (${what} ${usbId(p.usb.vendorId, p.usb.productId)}${sn})`;
}
