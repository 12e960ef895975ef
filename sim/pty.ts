/**
 * A pseudo-terminal pair through Deno FFI on Linux libc, so a simulator can sit behind a real
 * tty path (`/dev/pts/N`) that any serial tool can open. Termios is set with the kernel's
 * termios2 ioctls (TCGETS2/TCSETS2 + BOTHER), never glibc's versioned cfsetspeed. On a pty,
 * termios ioctls on the master act on the slave, so the master side can see the line rate the
 * client chose. A pty has no modem lines: DTR/RTS cannot reach the simulator.
 *
 * @module
 */

const O_RDWR = 0x2;
const O_NOCTTY = 0x100;
const O_NONBLOCK = 0x800;
const O_CLOEXEC = 0x80000;
const TCGETS2 = 0x802c542an;
const TCSETS2 = 0x402c542bn;
const EAGAIN = 11;
const POLLIN = 1;
const TERMIOS2_SIZE = 44;

const SYMBOLS = {
  posix_openpt: { parameters: ["i32"], result: "i32" },
  grantpt: { parameters: ["i32"], result: "i32" },
  unlockpt: { parameters: ["i32"], result: "i32" },
  ptsname_r: { parameters: ["i32", "buffer", "usize"], result: "i32" },
  open: { parameters: ["buffer", "i32", "i32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  close: { parameters: ["i32"], result: "i32" },
  ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];
let libc: Libc | undefined;

function lib(): Libc {
  // "libc.so" is a linker script on Debian; the real library is libc.so.6.
  libc ??= Deno.dlopen("libc.so.6", SYMBOLS).symbols;
  return libc;
}

function errno(): number {
  const p = lib().__errno_location();
  return p ? new Deno.UnsafePointerView(p).getInt32() : 0;
}

function check(ret: number, what: string): number {
  if (ret < 0) throw new Error(`${what} failed (errno ${errno()})`);
  return ret;
}

/** Puts a termios2 struct into raw 8N1 mode at `baud` (what cfmakeraw does, plus BOTHER). */
export function makeRawTermios2(t: Uint8Array, baud: number): void {
  const v = new DataView(t.buffer, t.byteOffset, TERMIOS2_SIZE);
  const IGNBRK = 0o1, BRKINT = 0o2, PARMRK = 0o10, ISTRIP = 0o40, INLCR = 0o100;
  const IGNCR = 0o200, ICRNL = 0o400, IXON = 0o2000, OPOST = 0o1;
  const ECHO = 0o10, ECHONL = 0o100, ICANON = 0o2, ISIG = 0o1, IEXTEN = 0o100000;
  const CSIZE = 0o60, PARENB = 0o400, CS8 = 0o60, CREAD = 0o200, CLOCAL = 0o4000;
  const CBAUD = 0o10017, BOTHER = 0o10000, HUPCL = 0o2000, CRTSCTS = 0x80000000;
  v.setUint32(
    0,
    v.getUint32(0, true) & ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON),
    true,
  );
  v.setUint32(4, v.getUint32(4, true) & ~OPOST, true);
  v.setUint32(12, v.getUint32(12, true) & ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN), true);
  let c = v.getUint32(8, true);
  c &= ~(CSIZE | PARENB | HUPCL | CRTSCTS | CBAUD | (CBAUD << 16));
  c |= CS8 | CREAD | CLOCAL | BOTHER | (BOTHER << 16);
  v.setUint32(8, c >>> 0, true);
  t[17 + 6] = 1; // VMIN
  t[17 + 5] = 0; // VTIME
  v.setUint32(36, baud, true);
  v.setUint32(40, baud, true);
}

/** Why ptys cannot be used here (not Linux, no FFI permission, no devpts), or undefined. */
export function ptyUnavailable(): string | undefined {
  if (Deno.build.os !== "linux") return `ptys are implemented for Linux only (${Deno.build.os})`;
  try {
    PtyMaster.open().close();
    return undefined;
  } catch (e) {
    return `cannot open a pty: ${(e as Error).message}`;
  }
}

/** The master side of an open pty pair. */
export class PtyMaster {
  #closed = false;
  readonly #pollfd = new Uint8Array(8);

  private constructor(readonly fd: number, readonly slaveFd: number, readonly path: string) {
    new DataView(this.#pollfd.buffer).setInt32(0, fd, true);
    new DataView(this.#pollfd.buffer).setInt16(4, POLLIN, true);
  }

  /** Opens a pty pair in raw mode at `baud`; the slave stays open here so reads never EIO. */
  static open(baud = 115200): PtyMaster {
    const c = lib();
    const fd = check(c.posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC), "posix_openpt");
    check(c.grantpt(fd), "grantpt");
    check(c.unlockpt(fd), "unlockpt");
    const name = new Uint8Array(128);
    check(c.ptsname_r(fd, name, BigInt(name.length)) === 0 ? 0 : -1, "ptsname_r");
    const path = new TextDecoder().decode(name.subarray(0, name.indexOf(0)));
    const cpath = new TextEncoder().encode(path + "\0");
    const slave = check(c.open(cpath, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC, 0), "open slave");
    const t = new Uint8Array(TERMIOS2_SIZE);
    check(c.ioctl(fd, TCGETS2, t), "TCGETS2");
    makeRawTermios2(t, baud);
    check(c.ioctl(fd, TCSETS2, t), "TCSETS2");
    return new PtyMaster(fd, slave, path);
  }

  /** The line rate the client last set on the slave. */
  baudRate(): number {
    const t = new Uint8Array(TERMIOS2_SIZE);
    if (lib().ioctl(this.fd, TCGETS2, t) < 0) return 0;
    return new DataView(t.buffer).getUint32(40, true);
  }

  /** Waits up to `timeoutMs` for bytes from the client; empty when none came. */
  async read(timeoutMs = 100): Promise<Uint8Array> {
    if (this.#closed) return new Uint8Array(0);
    const ready = await lib().poll(this.#pollfd, 1n, timeoutMs);
    if (ready <= 0 || this.#closed) return new Uint8Array(0);
    const buf = new Uint8Array(4096);
    const n = Number(lib().read(this.fd, buf, BigInt(buf.length)));
    if (n < 0) {
      if (errno() === EAGAIN) return new Uint8Array(0);
      throw new Error(`pty read failed (errno ${errno()})`);
    }
    return buf.subarray(0, n);
  }

  /** Sends bytes to the client (retrying while the pty buffer is full). */
  async write(bytes: Uint8Array): Promise<void> {
    let off = 0;
    while (off < bytes.length && !this.#closed) {
      const chunk = bytes.subarray(off);
      const n = Number(lib().write(this.fd, chunk, BigInt(chunk.length)));
      if (n < 0) {
        if (errno() !== EAGAIN) throw new Error(`pty write failed (errno ${errno()})`);
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      off += n;
    }
  }

  /** Closes both ends. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    lib().close(this.slaveFd);
    lib().close(this.fd);
  }
}
