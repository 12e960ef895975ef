/**
 * Non-blocking I/O on a raw fd without blocking the event loop: `poll` runs on a worker
 * thread with a short timeout, then `read`/`write` run synchronously so errno can be read.
 * A self-pipe joins every poll, so closing wakes a pending poll at once; the fd is closed
 * only after no worker still polls it (a closed-and-reused fd number would be a real bug).
 *
 * @module
 */
import { closeQuietly, errno, libc } from "./libc.ts";
import { POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT } from "./platform.ts";

/** Poll timeout: bounds how late a close is noticed if the wake pipe ever failed. */
const POLL_MS = 100;

/** Turns a failed call into the error the owner wants to throw. */
export type ErrnoMapper = (op: string, errno: number) => Error;

/** Options for {@link FdIo}. */
export interface FdIoOptions {
  /** Maps an errno (or -1 for hang-up / end of file) to an error. */
  error: ErrnoMapper;
  /**
   * Treat hang-up as "no peer yet" and keep waiting (a pty master before its slave is
   * opened reports POLLHUP).
   */
  hupIsTransient?: boolean;
}

/** Reads and writes one non-blocking fd; owns the fd from construction on. */
export class FdIo {
  readonly #fd: number;
  readonly #opts: FdIoOptions;
  readonly #wake = new Int32Array(2);
  readonly #pending = new Set<Promise<unknown>>();
  #closing = false;
  #closed = false;

  constructor(fd: number, opts: FdIoOptions) {
    const { c, k } = libc();
    this.#fd = fd;
    this.#opts = opts;
    if (c.pipe2(new Uint8Array(this.#wake.buffer), k.O_CLOEXEC | k.O_NONBLOCK) !== 0) {
      const e = errno();
      closeQuietly(fd);
      throw opts.error("pipe2", e);
    }
  }

  /** The fd (for ioctls by the owner). */
  get fd(): number {
    return this.#fd;
  }

  /** Every descriptor this object owns: the fd and the wake pipe (for leak checks). */
  get descriptors(): readonly number[] {
    return [this.#fd, this.#wake[0], this.#wake[1]];
  }

  /** True once close started. */
  get closing(): boolean {
    return this.#closing;
  }

  /** Next bytes (up to `max`), or null when closed. */
  async read(max = 65536): Promise<Uint8Array | null> {
    const { c, k } = libc();
    const buf = new Uint8Array(max);
    let hup = false;
    while (!this.#closing) {
      const n = Number(c.read(this.#fd, buf, BigInt(max)));
      if (n > 0) return buf.slice(0, n);
      if (n === 0) {
        if (this.#opts.hupIsTransient) await this.#nap();
        else throw this.#opts.error("read", -1);
        continue;
      }
      const e = errno();
      if (e === k.errno.EINTR) continue;
      if (e === k.errno.EIO && this.#opts.hupIsTransient) {
        await this.#nap();
        continue;
      }
      if (e !== k.errno.EAGAIN) throw this.#opts.error("read", e);
      if (hup && !this.#opts.hupIsTransient) throw this.#opts.error("read", -1);
      if (hup) await this.#nap();
      const revents = await this.#poll(POLLIN);
      hup = (revents & (POLLHUP | POLLERR | POLLNVAL)) !== 0 && (revents & POLLIN) === 0;
    }
    return null;
  }

  /** Writes every byte or throws; never reports a partial write as success. */
  async write(data: Uint8Array): Promise<void> {
    const { c, k } = libc();
    let off = 0;
    while (off < data.length) {
      if (this.#closing) throw this.#opts.error("write", k.errno.EBADF);
      const chunk = off === 0 ? data : data.subarray(off);
      const n = Number(c.write(this.#fd, chunk as Uint8Array<ArrayBuffer>, BigInt(chunk.length)));
      if (n > 0) {
        off += n;
        continue;
      }
      const e = n < 0 ? errno() : k.errno.EAGAIN;
      if (e === k.errno.EINTR) continue;
      if (e !== k.errno.EAGAIN) throw this.#opts.error("write", e);
      const revents = await this.#poll(POLLOUT);
      if ((revents & (POLLERR | POLLNVAL)) !== 0 && (revents & POLLOUT) === 0) {
        throw this.#opts.error("write", -1);
      }
    }
  }

  /**
   * Stops I/O: wakes pending polls, waits for them, runs `finalize(fd)` (unlock, restore),
   * then closes the fd and the wake pipe. Idempotent.
   */
  async close(finalize?: (fd: number) => void): Promise<void> {
    if (this.#closing) {
      while (!this.#closed) await Promise.allSettled([...this.#pending, this.#nap()]);
      return;
    }
    this.#closing = true;
    libc().c.write(this.#wake[1], new Uint8Array([1]), 1n);
    while (this.#pending.size) await Promise.allSettled([...this.#pending]);
    try {
      finalize?.(this.#fd);
    } finally {
      closeQuietly(this.#fd);
      closeQuietly(this.#wake[0]);
      closeQuietly(this.#wake[1]);
      this.#closed = true;
    }
  }

  /** Waits (off the main thread) until the fd has `events`, a timeout, or close. */
  async #poll(events: number): Promise<number> {
    const pfd = new Uint8Array(16);
    const v = new DataView(pfd.buffer);
    v.setInt32(0, this.#fd, true);
    v.setInt16(4, events, true);
    v.setInt32(8, this.#wake[0], true);
    v.setInt16(12, POLLIN, true);
    const p = libc().c.poll(pfd, 2n, POLL_MS);
    this.#pending.add(p);
    try {
      const r = await p;
      return r > 0 ? v.getInt16(6, true) : 0;
    } finally {
      this.#pending.delete(p);
    }
  }

  #nap(): Promise<void> {
    return new Promise((r) => setTimeout(r, 20));
  }
}
