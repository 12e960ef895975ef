/**
 * A CMSIS-DAP v1 link over Linux hidraw: each command is one 64-byte output report written
 * as 65 bytes (report id 0 first), each response one 64-byte input report.
 *
 * @module
 */
import { type DapPacketLink, DeviceError, TimeoutError } from "../../kernel/mod.ts";
import {
  EACCES,
  EAGAIN,
  EBUSY,
  ENOENT,
  errno,
  libc,
  O_CLOEXEC,
  O_NONBLOCK,
  O_RDWR,
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLNVAL,
} from "./libc.ts";

/** HID report size of full-speed CMSIS-DAP v1 probes. */
export const REPORT_SIZE = 64;
/** Longest single poll, so a close is noticed quickly. */
const POLL_SLICE_MS = 100;

function openError(path: string, e: number): DeviceError {
  if (e === EACCES) {
    return new DeviceError(`no permission to open ${path}`, {
      hint: "add a udev rule giving your user access to the probe (e.g. 0d28:0204), then replug",
    });
  }
  if (e === ENOENT) return new DeviceError(`${path} does not exist`, { hint: "replug the board" });
  if (e === EBUSY) return new DeviceError(`${path} is busy`, { hint: "close other debuggers" });
  return new DeviceError(`cannot open ${path} (errno ${e})`);
}

/** An open hidraw probe. */
export class HidrawLink implements DapPacketLink {
  readonly packetSize = REPORT_SIZE;
  #fd: number;
  #busy = Promise.resolve();

  private constructor(fd: number, readonly path: string) {
    this.#fd = fd;
  }

  /** Opens `/dev/hidrawN`. */
  static open(path: string): HidrawLink {
    const c = libc();
    const fd = c.open(new TextEncoder().encode(path + "\0"), O_RDWR | O_NONBLOCK | O_CLOEXEC, 0);
    if (fd < 0) throw openError(path, errno());
    return new HidrawLink(fd, path);
  }

  write(packet: Uint8Array): Promise<void> {
    if (this.#fd < 0) return Promise.reject(new DeviceError(`${this.path} is closed`));
    const report = new Uint8Array(REPORT_SIZE + 1); // report id 0, then the padded command
    report.set(packet.subarray(0, REPORT_SIZE), 1);
    const n = Number(libc().write(this.#fd, report, BigInt(report.length)));
    if (n !== report.length) {
      const e = n < 0 ? errno() : 0;
      return Promise.reject(
        new DeviceError(`write to ${this.path} failed${e ? ` (errno ${e})` : ""}`, {
          hint: "the probe may have been unplugged",
        }),
      );
    }
    return Promise.resolve();
  }

  read(timeoutMs = 1000): Promise<Uint8Array> {
    // Reads are serialised: two concurrent polls on one fd would race for one report.
    const next = this.#busy.then(() => this.#read(timeoutMs));
    this.#busy = next.then(() => {}, () => {});
    return next;
  }

  async #read(timeoutMs: number): Promise<Uint8Array> {
    const c = libc();
    const deadline = performance.now() + timeoutMs;
    const buf = new Uint8Array(REPORT_SIZE);
    const pfd = new Uint8Array(8);
    const view = new DataView(pfd.buffer);
    for (;;) {
      if (this.#fd < 0) throw new DeviceError(`${this.path} was closed`);
      const n = Number(c.read(this.#fd, buf, BigInt(buf.length)));
      if (n > 0) return buf.slice(0, n);
      const e = n < 0 ? errno() : 0;
      if (n === 0 || e !== EAGAIN) {
        throw new DeviceError(`read from ${this.path} failed (errno ${e})`, {
          hint: "the probe may have been unplugged",
        });
      }
      const left = deadline - performance.now();
      if (left <= 0) throw new TimeoutError(`no response from the probe on ${this.path}`);
      view.setInt32(0, this.#fd, true);
      view.setInt16(4, POLLIN, true);
      view.setInt16(6, 0, true);
      await c.poll(pfd, 1n, Math.ceil(Math.min(left, POLL_SLICE_MS)));
      const revents = view.getInt16(6, true);
      if (revents & (POLLERR | POLLHUP | POLLNVAL)) {
        throw new DeviceError(`${this.path} went away`, { hint: "replug the board" });
      }
    }
  }

  async close(): Promise<void> {
    await this.#busy;
    if (this.#fd >= 0) libc().close(this.#fd);
    this.#fd = -1;
  }
}
