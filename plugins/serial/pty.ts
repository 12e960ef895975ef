/**
 * A pseudo-terminal pair through libc FFI, for tests and for serving a simulated device on a
 * real tty path (`/dev/pts/N`) that the FFI port, ser2net or any other tool can open.
 *
 * @module
 */
import { DeviceError } from "../../kernel/mod.ts";
import { cString, errno, fromCString, libc } from "./libc.ts";
import { FdIo } from "./fd_io.ts";
import { decodeTermios2, makeRaw8N1, type Termios2, TERMIOS2_SIZE } from "./termios.ts";

/** The master side of a pty; the slave is at {@link PtyMaster.slavePath}. */
export interface PtyMaster {
  /** Path of the slave, e.g. `/dev/pts/3`. */
  readonly slavePath: string;
  /** Bytes written to the slave. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes the slave will read. */
  readonly writable: WritableStream<Uint8Array>;
  /** The slave's line settings (TCGETS2 on the master reports the slave's termios). */
  lineSettings(): Termios2;
  /** Closes the master; the slave sees a hang-up. */
  close(): Promise<void>;
}

/** Opens a pty pair with the slave in raw mode (no echo until someone reconfigures it). */
export function openPty(): PtyMaster {
  const { c, k } = libc();
  const fd = c.posix_openpt(k.O_RDWR | k.O_NOCTTY | k.O_NONBLOCK | k.O_CLOEXEC);
  const fail = (op: string): never => {
    const e = errno();
    if (fd >= 0) c.close(fd);
    throw new DeviceError(`pty ${op} failed: errno ${e}`, { code: "E_PTY" });
  };
  if (fd < 0) fail("posix_openpt");
  if (c.grantpt(fd) !== 0) fail("grantpt");
  if (c.unlockpt(fd) !== 0) fail("unlockpt");
  const name = new Uint8Array(128);
  if (c.ptsname_r(fd, name, 128n) !== 0) fail("ptsname_r");
  const slavePath = fromCString(name);
  // termios ioctls on a master apply to its slave: make it raw before anyone opens it.
  const t = new Uint8Array(TERMIOS2_SIZE);
  if (c.ioctl(fd, k.TCGETS2!, t) !== 0) fail("TCGETS2");
  makeRaw8N1(t, 115200);
  if (c.ioctl(fd, k.TCSETS2!, t) !== 0) fail("TCSETS2");
  const io = new FdIo(fd, {
    hupIsTransient: true,
    error: (op, e) => new DeviceError(`pty ${op} failed: errno ${e}`, { code: "E_PTY" }),
  });
  return {
    slavePath,
    readable: new ReadableStream<Uint8Array>({
      async pull(ctrl) {
        const chunk = await io.read();
        if (chunk) ctrl.enqueue(chunk);
        else ctrl.close();
      },
    }),
    writable: new WritableStream<Uint8Array>({ write: (chunk) => io.write(chunk) }),
    lineSettings() {
      const b = new Uint8Array(TERMIOS2_SIZE);
      if (c.ioctl(io.fd, k.TCGETS2!, b) !== 0) fail("TCGETS2");
      return decodeTermios2(b);
    },
    close: () => io.close(),
  };
}

/** Whether this machine can open pseudo-terminals (tests skip without them). */
export function ptyAvailable(): boolean {
  try {
    const { c, k } = libc();
    const fd = c.open(cString("/dev/ptmx"), k.O_RDWR | k.O_NOCTTY | k.O_CLOEXEC, 0);
    if (fd < 0) return false;
    c.close(fd);
    return true;
  } catch {
    return false;
  }
}
