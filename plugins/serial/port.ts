/**
 * A real serial port through libc FFI, shaped like the kernel's `SerialPortLike` so a target
 * cannot tell it from a simulator. Linux only for now (see platform.ts for the macOS table).
 *
 * @module
 */
import type { SerialPortInfo, SerialPortLike, SerialSignals } from "../../kernel/mod.ts";
import { DeviceError } from "../../kernel/mod.ts";
import { cString, errno, libc } from "./libc.ts";
import { FdIo } from "./fd_io.ts";
import { ioError, openError, SignalsUnsupportedError } from "./diagnose.ts";
import { usbId } from "./bridges.ts";
import { LOCK_EX, LOCK_NB, LOCK_UN } from "./platform.ts";
import {
  checkBaud,
  decodeTermios2,
  makeRaw8N1,
  setSpeed,
  type Termios2,
  TERMIOS2_SIZE,
} from "./termios.ts";

/** Options for {@link openSerialPort}. */
export interface SerialOpenOptions {
  /** Initial line rate (default 115200). */
  baudRate?: number;
  /** Extra identity to report from getInfo (USB ids from discovery). */
  info?: Omit<SerialPortInfo, "path">;
}

/** Which buffered bytes {@link FfiSerialPort.flush} drops. */
export type FlushQueue = "input" | "output" | "both";

/** Opens `path` raw 8N1 at the given rate, exclusively (TIOCEXCL plus flock). */
export function openSerialPort(path: string, options: SerialOpenOptions = {}): FfiSerialPort {
  const baud = options.baudRate ?? 115200;
  checkBaud(baud);
  const { c, k } = libc();
  const fd = c.open(cString(path), k.O_RDWR | k.O_NOCTTY | k.O_NONBLOCK | k.O_CLOEXEC, 0);
  const usb = options.info?.usbVendorId !== undefined && options.info.usbProductId !== undefined
    ? usbId(options.info.usbVendorId, options.info.usbProductId)
    : undefined;
  if (fd < 0) throw openError(path, errno(), usb);
  // On failure: close first (so a busy scan of /proc does not find us), then explain.
  const fail = (err: number): never => {
    c.close(fd);
    throw openError(path, err);
  };
  const t = new Uint8Array(TERMIOS2_SIZE);
  if (c.ioctl(fd, k.TCGETS2!, t) !== 0) fail(errno());
  if (c.ioctlInt(fd, k.TIOCEXCL, 0n) !== 0) fail(errno());
  // TIOCEXCL does not stop root; an advisory lock does, and is what other tools check.
  if (c.flock(fd, LOCK_EX | LOCK_NB) !== 0) fail(k.errno.EBUSY);
  makeRaw8N1(t, baud);
  if (c.ioctl(fd, k.TCSETS2!, t) !== 0) fail(errno());
  c.ioctlInt(fd, k.TCFLSH, 2n); // drop bytes that arrived before we owned the port
  return new FfiSerialPort(fd, path, baud, options.info ?? {});
}

/** An open FFI serial port. */
export class FfiSerialPort implements SerialPortLike {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  readonly #io: FdIo;
  readonly #path: string;
  readonly #info: Omit<SerialPortInfo, "path">;
  #baud: number;

  constructor(fd: number, path: string, baud: number, info: Omit<SerialPortInfo, "path">) {
    this.#path = path;
    this.#baud = baud;
    this.#info = info;
    this.#io = new FdIo(fd, { error: (op, e) => ioError(path, op, e) });
    const io = this.#io;
    this.readable = new ReadableStream<Uint8Array>({
      async pull(ctrl) {
        const chunk = await io.read();
        if (chunk) ctrl.enqueue(chunk);
        else ctrl.close();
      },
    }, { highWaterMark: 0 }); // read only when asked, so flush("input") drops what waits
    this.writable = new WritableStream<Uint8Array>({ write: (chunk) => io.write(chunk) });
  }

  /** Current (requested) line rate. */
  get baudRate(): number {
    return this.#baud;
  }

  /** Descriptors the port owns (tty and wake pipe), for leak checks. */
  get descriptors(): readonly number[] {
    return this.#io.descriptors;
  }

  /** Device path. */
  get path(): string {
    return this.#path;
  }

  getInfo(): SerialPortInfo {
    return { ...this.#info, path: this.#path };
  }

  async setSignals(signals: SerialSignals): Promise<void> {
    const { c, k } = libc();
    let set = 0, clear = 0;
    if (signals.dataTerminalReady !== undefined) {
      if (signals.dataTerminalReady) set |= k.TIOCM_DTR;
      else clear |= k.TIOCM_DTR;
    }
    if (signals.requestToSend !== undefined) {
      if (signals.requestToSend) set |= k.TIOCM_RTS;
      else clear |= k.TIOCM_RTS;
    }
    const fd = this.#live();
    for (const [req, bits] of [[k.TIOCMBIS, set], [k.TIOCMBIC, clear]] as const) {
      if (!bits) continue;
      if (c.ioctl(fd, req, new Uint8Array(new Int32Array([bits]).buffer)) !== 0) {
        throw this.#signalError(errno(), "setSignals");
      }
    }
    if (signals.break !== undefined) {
      if (c.ioctlInt(fd, signals.break ? k.TIOCSBRK : k.TIOCCBRK, 0n) !== 0) {
        throw this.#signalError(errno(), "break");
      }
    }
    await Promise.resolve();
  }

  /** Changes the rate once bytes already queued have left (a rate change mid-byte garbles). */
  async setBaudRate(baudRate: number): Promise<void> {
    checkBaud(baudRate);
    await this.drain();
    const { c, k } = libc();
    const fd = this.#live();
    const t = new Uint8Array(TERMIOS2_SIZE);
    if (c.ioctl(fd, k.TCGETS2!, t) !== 0) throw ioError(this.#path, "TCGETS2", errno());
    setSpeed(t, baudRate);
    if (c.ioctl(fd, k.TCSETS2!, t) !== 0) throw ioError(this.#path, "TCSETS2", errno());
    this.#baud = baudRate;
  }

  /** The line settings as the kernel reports them (TCGETS2), e.g. the rate actually set. */
  lineSettings(): Termios2 {
    const { c, k } = libc();
    const t = new Uint8Array(TERMIOS2_SIZE);
    if (c.ioctl(this.#live(), k.TCGETS2!, t) !== 0) {
      throw ioError(this.#path, "TCGETS2", errno());
    }
    return decodeTermios2(t);
  }

  /** Drops buffered bytes (TCFLSH). */
  flush(queue: FlushQueue = "both"): void {
    const { c, k } = libc();
    const arg = queue === "input" ? 0n : queue === "output" ? 1n : 2n;
    if (c.ioctlInt(this.#live(), k.TCFLSH, arg) !== 0) {
      throw ioError(this.#path, "flush", errno());
    }
  }

  /** Bytes received and not yet read (FIONREAD). */
  inputWaiting(): number {
    const { c, k } = libc();
    const n = new Int32Array(1);
    if (c.ioctl(this.#live(), k.FIONREAD, new Uint8Array(n.buffer)) !== 0) {
      throw ioError(this.#path, "FIONREAD", errno());
    }
    return n[0];
  }

  /** Waits (up to `maxMs`) until the driver's output queue is empty. */
  async drain(maxMs = 1000): Promise<void> {
    const { c, k } = libc();
    const n = new Int32Array(1);
    const deadline = Date.now() + maxMs;
    while (Date.now() < deadline) {
      if (c.ioctl(this.#live(), k.TIOCOUTQ, new Uint8Array(n.buffer)) !== 0 || n[0] <= 0) return;
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** Releases the lock and the descriptor; pending reads end, pending writes fail. */
  close(): Promise<void> {
    const { c, k } = libc();
    return this.#io.close((fd) => {
      c.flock(fd, LOCK_UN);
      c.ioctlInt(fd, k.TIOCNXCL, 0n);
    });
  }

  #live(): number {
    if (this.#io.closing) {
      throw new DeviceError(`serial port ${this.#path} is closed`, { code: "E_PORT_CLOSED" });
    }
    return this.#io.fd;
  }

  #signalError(err: number, op: string): Error {
    const { k } = libc();
    // A pty (and some virtual ports) reject modem-line ioctls with ENOTTY or EINVAL.
    if (err === k.errno.ENOTTY || err === k.errno.EINVAL) {
      return new SignalsUnsupportedError(this.#path);
    }
    return ioError(this.#path, op, err);
  }
}
