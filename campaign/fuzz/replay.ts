/**
 * Recorded peers for protocol fuzzing: a session against a simulated device or a fake
 * gdbserver is recorded once (what the peer sent), the recording is mutated, and the real
 * host client runs the same session against a peer that replays the mutated bytes.
 *
 * @module
 */
import { type ByteStream, type DapPacketLink, TimeoutError } from "../../kernel/mod.ts";
import { RspParser } from "../../probes/gdb/codec.ts";

/** HID report size: recorded DAP responses are stored one per 64-byte slot. */
export const REPORT = 64;

/** A DAP link that records every response of `inner` into 64-byte slots. */
export class RecordingDapLink implements DapPacketLink {
  readonly packetSize: number;
  readonly #inner: DapPacketLink;
  readonly #slots: Uint8Array[] = [];
  constructor(inner: DapPacketLink) {
    this.#inner = inner;
    this.packetSize = inner.packetSize;
  }
  write(packet: Uint8Array): Promise<void> {
    return this.#inner.write(packet);
  }
  async read(timeoutMs?: number): Promise<Uint8Array> {
    const r = await this.#inner.read(timeoutMs);
    const slot = new Uint8Array(REPORT);
    slot.set(r.subarray(0, REPORT));
    this.#slots.push(slot);
    return r;
  }
  close(): Promise<void> {
    return this.#inner.close();
  }
  /** The responses so far, back to back. */
  recording(): Uint8Array {
    const out = new Uint8Array(this.#slots.length * REPORT);
    this.#slots.forEach((s, i) => out.set(s, i * REPORT));
    return out;
  }
}

/** A DAP link answering each read with the next 64 bytes of `script`; then silence. */
export class ReplayDapLink implements DapPacketLink {
  #at = 0;
  /** `packetSize`: what the link reports (a probe server's hello may say anything). */
  constructor(readonly script: Uint8Array, readonly packetSize = REPORT) {}
  write(): Promise<void> {
    return Promise.resolve();
  }
  read(timeoutMs = 0): Promise<Uint8Array> {
    if (this.#at >= this.script.length) {
      return Promise.reject(new TimeoutError(`no CMSIS-DAP response within ${timeoutMs} ms`));
    }
    const r = this.script.slice(this.#at, this.#at + REPORT);
    this.#at += REPORT;
    return Promise.resolve(r);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Wraps a byte stream so everything the peer sends is also kept. */
export function recordingStream(inner: ByteStream): { stream: ByteStream; bytes: number[] } {
  const bytes: number[] = [];
  const tap = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, c) {
      bytes.push(...chunk);
      c.enqueue(chunk);
    },
  });
  return {
    stream: {
      readable: inner.readable.pipeThrough(tap),
      writable: inner.writable,
      close: () => inner.close(),
    },
    bytes,
  };
}

/**
 * A gdbserver that answers each packet the client sends with the next piece of `script`:
 * everything up to and including the next `#xx` packet end. When the script runs out the
 * connection closes, as a server that went away.
 */
export function replayGdbServer(script: Uint8Array): ByteStream {
  let at = 0;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  const parser = new RspParser();
  const finish = () => {
    if (closed) return;
    closed = true;
    try {
      controller.close();
    } catch { /* reader gone */ }
  };
  const next = () => {
    if (closed) return;
    if (at >= script.length) return finish();
    const hash = script.indexOf(0x23, at);
    const end = hash < 0 ? script.length : Math.min(script.length, hash + 3);
    const piece = script.slice(at, end);
    at = end;
    try {
      controller.enqueue(piece);
    } catch { /* reader gone */ }
  };
  return {
    readable: new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) }),
    writable: new WritableStream<Uint8Array>({
      write(chunk) {
        for (const ev of parser.push(chunk)) {
          if (ev.kind === "packet" || ev.kind === "interrupt") next();
        }
      },
    }),
    close() {
      finish();
      return Promise.resolve();
    },
  };
}
