/**
 * The master side of a pseudo-terminal, shaped for serving a simulator: timed reads and the
 * line rate the client chose (on a pty, termios ioctls on the master act on the slave).
 * A pty has no modem lines: DTR/RTS cannot reach the simulator. The FFI work is the serial
 * plugin's pty pair.
 *
 * @module
 */
import { openPty, ptyAvailable, type PtyMaster as PtyPair } from "../plugins/serial/pty.ts";

/** Why ptys cannot be used here (not Linux, no FFI permission, no devpts), or undefined. */
export function ptyUnavailable(): string | undefined {
  if (Deno.build.os !== "linux") return `ptys are implemented for Linux only (${Deno.build.os})`;
  try {
    return ptyAvailable() ? undefined : "cannot open /dev/ptmx";
  } catch (e) {
    return `cannot open a pty: ${(e as Error).message}`;
  }
}

/** The master side of an open pty pair. */
export class PtyMaster {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  #pending?: Promise<ReadableStreamReadResult<Uint8Array>>;
  #closed = false;

  private constructor(readonly pair: PtyPair) {
    this.#reader = pair.readable.getReader();
    this.#writer = pair.writable.getWriter();
  }

  /** Opens a pty pair with the slave in raw 8N1 mode. */
  static open(): PtyMaster {
    return new PtyMaster(openPty());
  }

  /** Path of the slave, e.g. `/dev/pts/3`. */
  get path(): string {
    return this.pair.slavePath;
  }

  /** The line rate the client last set on the slave (0 when it cannot be read). */
  baudRate(): number {
    try {
      return this.pair.lineSettings().ospeed;
    } catch {
      return 0;
    }
  }

  /** Waits up to `timeoutMs` for bytes from the client; empty when none came. */
  async read(timeoutMs = 100): Promise<Uint8Array> {
    if (this.#closed) return new Uint8Array(0);
    // A read that outlives its timeout stays pending and answers the next call.
    this.#pending ??= this.#reader.read();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const r = await Promise.race([
      this.#pending,
      new Promise<null>((resolve) => timer = setTimeout(() => resolve(null), timeoutMs)),
    ]).finally(() => clearTimeout(timer));
    if (r === null) return new Uint8Array(0);
    this.#pending = undefined;
    return r.done || !r.value ? new Uint8Array(0) : r.value;
  }

  /** Sends bytes to the client. */
  async write(bytes: Uint8Array): Promise<void> {
    if (!this.#closed) await this.#writer.write(bytes);
  }

  /** Closes the master; the client sees a hang-up. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#reader.cancel().catch(() => {});
    this.#writer.abort().catch(() => {});
    this.pair.close().catch(() => {});
  }
}
