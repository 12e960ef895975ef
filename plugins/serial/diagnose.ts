/**
 * Turns errno values from a serial port into typed errors that say what to do: the group
 * to join on EACCES, the process holding the port on EBUSY, and "device vanished" on
 * EIO/ENXIO/hang-up.
 *
 * @module
 */
import { DeltaflashError, DeviceError, UsageError } from "../../kernel/mod.ts";
export { SignalsUnsupportedError } from "../../kernel/mod.ts";
import { LINUX } from "./platform.ts";

const E = LINUX.errno;

/** Code of the error thrown when a port cannot carry modem lines (pty, raw TCP). */
export const E_SIGNALS_UNSUPPORTED = "E_SIGNALS_UNSUPPORTED";

/** Name of the group with id `gid`, from /etc/group. */
export function groupName(gid: number, groupFile = "/etc/group"): string | undefined {
  try {
    for (const line of Deno.readTextFileSync(groupFile).split("\n")) {
      const [name, , id] = line.split(":");
      if (name && Number(id) === gid) return name;
    }
  } catch { /* no /etc/group: fall through */ }
  return undefined;
}

/** Pids (and command names) of processes that have `path` open, where /proc lets us see. */
export function portHolders(path: string, proc = "/proc"): { pid: number; command: string }[] {
  const out: { pid: number; command: string }[] = [];
  let real = path;
  try {
    real = Deno.realPathSync(path);
  } catch { /* keep the given path */ }
  try {
    for (const e of Deno.readDirSync(proc)) {
      if (!/^\d+$/.test(e.name)) continue;
      try {
        for (const f of Deno.readDirSync(`${proc}/${e.name}/fd`)) {
          const link = Deno.readLinkSync(`${proc}/${e.name}/fd/${f.name}`);
          if (link === real || link === path) {
            const command = readTrim(`${proc}/${e.name}/comm`) ?? "?";
            out.push({ pid: Number(e.name), command });
            break;
          }
        }
      } catch { /* process gone or not ours */ }
    }
  } catch { /* no /proc */ }
  return out;
}

function readTrim(p: string): string | undefined {
  try {
    return Deno.readTextFileSync(p).trim();
  } catch {
    return undefined;
  }
}

/** The error for a failed open of `path`. */
export function openError(path: string, err: number, usbId?: string): DeltaflashError {
  switch (err) {
    case E.EACCES:
    case E.EPERM:
      return permissionError(path, err, usbId);
    case E.EBUSY:
    case E.EAGAIN:
      return busyError(path);
    case E.ENOENT:
    case E.ENODEV:
    case E.ENXIO:
      return new DeviceError(`serial port ${path} not found`, {
        code: "E_PORT_NOT_FOUND",
        hint: "check the cable; run `deltaflash ports` to list connected ports",
      });
    case E.ENOTTY:
      return new UsageError(`${path} is not a serial port`, {
        hint: "give a tty device such as /dev/ttyUSB0 or /dev/ttyACM0",
      });
    default:
      return new DeviceError(`cannot open ${path}: errno ${err}`, { code: "E_PORT_OPEN" });
  }
}

/** EACCES: name the group that owns the device and the udev rule that fixes it for good. */
export function permissionError(path: string, err = E.EACCES, usbId?: string): DeviceError {
  let group = "dialout";
  try {
    const gid = Deno.statSync(path).gid;
    if (gid !== null && gid !== 0) group = groupName(gid) ?? `gid ${gid}`;
  } catch { /* keep the usual group */ }
  const [vid, pid] = (usbId ?? "").split(":");
  const rule = vid && pid
    ? `SUBSYSTEM=="tty", ATTRS{idVendor}=="${vid}", ATTRS{idProduct}=="${pid}", ` +
      `MODE="0660", GROUP="${group}"`
    : `SUBSYSTEM=="tty", MODE="0660", GROUP="${group}"`;
  return new DeviceError(`permission denied opening ${path} (errno ${err})`, {
    code: "E_PORT_PERMISSION",
    hint: `add yourself to the '${group}' group: sudo usermod -aG ${group} $USER ` +
      `(then log out and in), or add a udev rule in /etc/udev/rules.d/99-deltaflash.rules: ` +
      `${rule}`,
  });
}

/** EBUSY: someone else has the port; say who when /proc tells us. */
export function busyError(path: string): DeviceError {
  const holders = portHolders(path);
  const who = holders.length
    ? ` (held by ${holders.map((h) => `pid ${h.pid} ${h.command}`).join(", ")})`
    : "";
  return new DeviceError(`serial port ${path} is busy${who}`, {
    code: "E_PORT_BUSY",
    hint: "close the serial monitor or other flasher using it, then retry",
  });
}

/** The device went away mid-session (unplugged, reset into another USB mode). */
export function vanishedError(path: string, op: string, err: number): DeviceError {
  const how = err < 0 ? "hang-up" : `errno ${err}`;
  return new DeviceError(`serial device ${path} vanished during ${op} (${how})`, {
    code: "E_PORT_GONE",
    hint: "reconnect the board and run the same command again: only differing blocks are written",
  });
}

/** The error for a failed read/write/ioctl on an open port. */
export function ioError(path: string, op: string, err: number): DeltaflashError {
  if (err === E.EBADF) {
    return new DeviceError(`serial port ${path} was closed during ${op}`, {
      code: "E_PORT_CLOSED",
    });
  }
  if (err < 0 || err === E.EIO || err === E.ENXIO || err === E.ENODEV) {
    return vanishedError(path, op, err);
  }
  return new DeviceError(`serial ${op} on ${path} failed: errno ${err}`, { code: "E_PORT_IO" });
}
