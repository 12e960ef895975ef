/**
 * A byte-level test client for a simulated chip served on a tty path (a pty slave), behaving
 * as real hosts do: SYNC is resent until the ROM answers (a chip still booting drops what it
 * hears), late SYNC replies are skipped before the next command's reply, and every wait has a
 * deadline that fails with what was heard instead of hanging. One reader loop owns the port
 * until {@link TtyWire.close}, which ends it: no read is ever left pending.
 *
 * @module
 */
import { type FfiSerialPort, openSerialPort } from "../../plugins/serial/port.ts";
import { Op, SYNC_PAYLOAD } from "./protocol.ts";
import { SlipDecoder, slipEncode } from "./slip.ts";
import { type Reply, request, toReply } from "./testing.ts";

/** Options for {@link TtyWire.open}. */
export interface TtyWireOptions {
  /** Longest wait for any one answer before failing (default 20 s: a hang guard, not a timing check). */
  deadlineMs?: number;
  /** Interval between SYNC attempts (default 100 ms, as esptool). */
  syncEveryMs?: number;
}

/** An open test connection to a chip on a tty. */
export class TtyWire {
  /** Reply frames in arrival order. */
  readonly frames: Reply[] = [];
  /** Bytes received outside frames (banners, crash text), as text. */
  text = "";
  /** SYNC packets sent by {@link sync}. */
  syncsSent = 0;
  readonly #port: FfiSerialPort;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #decoder = new SlipDecoder();
  readonly #deadlineMs: number;
  readonly #syncEveryMs: number;
  readonly #pump: Promise<void>;
  #wake: (() => void)[] = [];
  #next = 0;
  #ended: string | undefined;

  private constructor(port: FfiSerialPort, options: TtyWireOptions) {
    this.#port = port;
    this.#writer = port.writable.getWriter();
    this.#deadlineMs = options.deadlineMs ?? 20_000;
    this.#syncEveryMs = options.syncEveryMs ?? 100;
    this.#pump = this.#readLoop(port.readable.getReader());
  }

  /** Opens `path` as a host would (raw 8N1 at 115200, exclusive). */
  static open(path: string, options: TtyWireOptions = {}): TtyWire {
    return new TtyWire(openSerialPort(path), options);
  }

  /** Sends one request packet. */
  async send(packet: Uint8Array): Promise<void> {
    await this.#writer.write(slipEncode(packet));
  }

  /** Sends SYNC every `syncEveryMs` until the ROM answers; returns its first reply. */
  async sync(): Promise<Reply> {
    const deadline = Date.now() + this.#deadlineMs;
    const seen = () => this.#find(Op.SYNC) !== undefined;
    while (true) {
      await this.send(request(Op.SYNC, SYNC_PAYLOAD));
      this.syncsSent++;
      if (await this.#until(seen, Math.min(this.#syncEveryMs, deadline - Date.now()))) break;
      if (Date.now() >= deadline) {
        throw this.#failure(`no SYNC reply after ${this.syncsSent} SYNCs`);
      }
    }
    return this.#take(this.#find(Op.SYNC)!);
  }

  /**
   * Sends a request and returns its reply. Replies to earlier SYNCs (a ROM answers each SYNC
   * eight times) are skipped; any other frame before the reply is an error.
   */
  async command(op: number, data: Uint8Array = new Uint8Array(0), chk = 0): Promise<Reply> {
    await this.send(request(op, data, chk));
    if (!(await this.#until(() => this.#find(op) !== undefined, this.#deadlineMs))) {
      throw this.#failure(`no reply to command 0x${op.toString(16)}`);
    }
    return this.#take(this.#find(op)!);
  }

  /** Closes the port; the reader loop ends with it. */
  async close(): Promise<void> {
    await this.#writer.close().catch(() => {});
    await this.#port.close();
    await this.#pump;
  }

  /** Index of the first unconsumed reply to `op`. */
  #find(op: number): number | undefined {
    for (let i = this.#next; i < this.frames.length; i++) {
      const f = this.frames[i];
      if (f.raw[0] === 1 && f.op === op) return i;
    }
    return undefined;
  }

  /** Consumes frames up to and including `index`, checking that only SYNC replies are skipped. */
  #take(index: number): Reply {
    for (let i = this.#next; i < index; i++) {
      const f = this.frames[i];
      if (f.raw[0] !== 1 || f.op !== Op.SYNC) {
        throw new Error(`unexpected frame before the reply: ${hex(f.raw)}`);
      }
    }
    this.#next = index + 1;
    return this.frames[index];
  }

  /** Waits until `cond` holds (true), `ms` pass or the line closes (false). */
  async #until(cond: () => boolean, ms: number): Promise<boolean> {
    const end = Date.now() + ms;
    while (!cond()) {
      const left = end - Date.now();
      if (left <= 0 || this.#ended !== undefined) return false;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.#wake.push(done);
      });
    }
    return true;
  }

  #failure(what: string): Error {
    const heard = this.text.length ? JSON.stringify(this.text.slice(-200)) : "nothing";
    const line = this.#ended === undefined ? `within ${this.#deadlineMs} ms` : `(${this.#ended})`;
    return new Error(
      `${what} from ${this.#port.path} ${line}; ${this.frames.length} frames and text ${heard} heard`,
    );
  }

  async #readLoop(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const td = new TextDecoder();
    try {
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        const noise = this.#decoder.noiseBytes;
        for (const f of this.#decoder.push(value)) this.frames.push(toReply(f));
        if (this.#decoder.noiseBytes > noise) {
          this.text += td.decode(value.filter((b) => b !== 0xc0));
        }
        for (const w of this.#wake.splice(0)) w();
      }
      this.#ended = "the port was closed";
    } catch (e) {
      this.#ended = `the line went down: ${(e as Error).message}`;
    } finally {
      reader.releaseLock();
      for (const w of this.#wake.splice(0)) w();
    }
  }
}

function hex(bytes: Uint8Array): string {
  return [...bytes.subarray(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
}
