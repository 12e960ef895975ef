/**
 * Finding CMSIS-DAP HID probes through sysfs: `/sys/class/hidraw/<n>/device/uevent` holds
 * `HID_ID=bus:VID:PID`, `HID_NAME` and `HID_UNIQ` (serial).
 *
 * @module
 */
import { EXIT_FAILURE, NotFoundError, UsageError } from "../../kernel/mod.ts";

/** Arm's DAPLink USB ids (micro:bit and most DAPLink boards). */
export const DAPLINK_VID = 0x0d28, DAPLINK_PID = 0x0204;

/** One hidraw device. */
export interface HidDevice {
  /** `/dev/hidrawN`. */
  readonly path: string;
  /** USB vendor id. */
  readonly vendorId: number;
  /** USB product id. */
  readonly productId: number;
  /** Product name. */
  readonly name: string;
  /** Serial number (DAPLink: board id + unique id). */
  readonly serial: string;
}

/** Parses one uevent file. */
export function parseUevent(text: string, path: string): HidDevice | undefined {
  const kv = new Map<string, string>();
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) kv.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  const id = /^[0-9A-Fa-f]+:([0-9A-Fa-f]+):([0-9A-Fa-f]+)$/.exec(kv.get("HID_ID") ?? "");
  if (!id) return undefined;
  return {
    path,
    vendorId: parseInt(id[1], 16),
    productId: parseInt(id[2], 16),
    name: kv.get("HID_NAME") ?? "",
    serial: kv.get("HID_UNIQ") ?? "",
  };
}

/** True for CMSIS-DAP probes: the name says so, or it is a DAPLink. */
export function isCmsisDap(d: HidDevice): boolean {
  return /CMSIS-DAP/i.test(d.name) ||
    (d.vendorId === DAPLINK_VID && d.productId === DAPLINK_PID);
}

/** Lists hidraw devices (`sysRoot` is for tests). */
export async function listHidDevices(sysRoot = "/sys/class/hidraw"): Promise<HidDevice[]> {
  const out: HidDevice[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(sysRoot));
  } catch {
    return out;
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name, "en", { numeric: true }))) {
    try {
      const text = await Deno.readTextFile(`${sysRoot}/${e.name}/device/uevent`);
      const d = parseUevent(text, `/dev/${e.name}`);
      if (d) out.push(d);
    } catch {
      // a device that vanished while listing
    }
  }
  return out;
}

/**
 * Resolves a `hid:` address: `hid:` (the only/first CMSIS-DAP probe), `hid:/dev/hidraw3`,
 * `hid:0d28:0204` (by USB ids) or `hid:?serial=9904…` (by serial prefix).
 */
export function pickHidDevice(address: string, devices: readonly HidDevice[]): string {
  const rest = address.replace(/^hid:(\/\/)?/i, "");
  if (rest.startsWith("/dev/")) return rest;
  const probes = devices.filter(isCmsisDap);
  let match = probes;
  const ids = /^([0-9a-f]{4}):([0-9a-f]{4})$/i.exec(rest);
  const serial = /^\?serial=(.+)$/.exec(rest);
  if (ids) {
    const [v, p] = [parseInt(ids[1], 16), parseInt(ids[2], 16)];
    match = devices.filter((d) => d.vendorId === v && d.productId === p);
  } else if (serial) {
    match = probes.filter((d) => d.serial.toLowerCase().startsWith(serial[1].toLowerCase()));
  } else if (rest !== "") {
    throw new UsageError(`bad HID probe address '${address}'`, {
      hint: "use hid:, hid:/dev/hidrawN, hid:VID:PID or hid:?serial=PREFIX",
    });
  }
  if (!match.length) {
    throw new NotFoundError(
      "CMSIS-DAP probe",
      address,
      probes.map((d) => `${d.path} (${d.name})`),
      {
        hint: "connect the board by USB; check /dev/hidraw* permissions (udev rule)",
        exitCode: EXIT_FAILURE, // a probe not attached is a device failure, not a usage error
      },
    );
  }
  return match[0].path;
}
