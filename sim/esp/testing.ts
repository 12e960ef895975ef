/**
 * A byte-level test client for the simulated chip: sends request packets as SLIP frames and
 * collects reply frames and stray text, so tests can assert exact bytes on the wire. Not a
 * flasher: it knows nothing beyond the packet layout.
 *
 * @module
 */
import { createContext, VirtualClock } from "../../kernel/mod.ts";
import { checksum } from "./protocol.ts";
import { EspSimBank } from "./plugin.ts";
import type { SimSerialPort } from "./port.ts";
import { SlipDecoder, slipEncode } from "./slip.ts";

/** A decoded reply packet. */
export interface Reply {
  /** The whole packet (header included). */
  raw: Uint8Array;
  /** Opcode echoed. */
  op: number;
  /** Value field. */
  value: number;
  /** Data, status bytes included. */
  data: Uint8Array;
}

/** Splits a decoded frame into its reply fields. */
export function toReply(frame: Uint8Array): Reply {
  const v = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  return {
    raw: frame,
    op: frame[1],
    value: frame.length >= 8 ? v.getUint32(4, true) : 0,
    data: frame.subarray(8),
  };
}

/** Little-endian u32 words as bytes. */
export function words(...ws: number[]): Uint8Array {
  const b = new Uint8Array(ws.length * 4);
  const v = new DataView(b.buffer);
  ws.forEach((w, i) => v.setUint32(i * 4, w >>> 0, true));
  return b;
}

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Builds a request packet `00 op size checksum data`. */
export function request(op: number, data: Uint8Array, chk = 0): Uint8Array {
  return concat(new Uint8Array([0, op, data.length & 0xff, data.length >> 8]), words(chk), data);
}

/** Builds the data of a *_DATA command (16-byte sub-header + block) and its checksum. */
export function dataBlock(block: Uint8Array, seq: number): [Uint8Array, number] {
  return [concat(words(block.length, seq, 0, 0), block), checksum(block)];
}

/** A test connection to one simulated chip on a virtual clock. */
export class Wire {
  readonly frames: Reply[] = [];
  /** Bytes received outside frames (banners, crash text), as text. */
  text = "";
  #decoder = new SlipDecoder();
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #waiters: (() => void)[] = [];

  private constructor(readonly port: SimSerialPort, readonly clock: VirtualClock) {
    this.#reader = port.readable.getReader();
    void this.#pump();
  }

  /** Opens `address` on a fresh bank (or `bank`). */
  static async open(address: string, bank = new EspSimBank()): Promise<Wire> {
    const clock = new VirtualClock();
    const port = await bank.open(createContext({ clock }), address, { baudRate: 115200 });
    return new Wire(port, clock);
  }

  /** The classic DTR/RTS download-mode reset, then waits for the banner. */
  async resetToDownload(): Promise<void> {
    await this.port.setSignals({ dataTerminalReady: false, requestToSend: true });
    await this.port.setSignals({ dataTerminalReady: true, requestToSend: false });
    await this.port.setSignals({ dataTerminalReady: false });
    await this.until(() => this.text.includes("waiting for download"));
  }

  /** Sends one packet. */
  async send(packet: Uint8Array): Promise<void> {
    const w = this.port.writable.getWriter();
    await w.write(slipEncode(packet));
    w.releaseLock();
  }

  /** Sends a request and returns its first reply with a matching opcode. */
  async command(op: number, data: Uint8Array = new Uint8Array(0), chk = 0): Promise<Reply> {
    const from = this.frames.length;
    await this.send(request(op, data, chk));
    await this.until(() => this.frames.slice(from).some((f) => f.op === op));
    return this.frames.slice(from).find((f) => f.op === op)!;
  }

  /** Runs SYNC and waits for all 8 ROM replies. */
  async sync(): Promise<Reply[]> {
    const from = this.frames.length;
    await this.send(request(0x08, new Uint8Array([7, 7, 0x12, 0x20, ...Array(32).fill(0x55)])));
    await this.until(() => this.frames.length - from >= 8);
    return this.frames.slice(from);
  }

  /** Lets virtual time run for `ms`. */
  async idle(ms: number): Promise<void> {
    await this.clock.sleep(ms);
  }

  /** Waits (bounded by real time) until `cond` holds. */
  async until(cond: () => boolean, realMs = 3000): Promise<void> {
    const deadline = Date.now() + realMs;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error("timed out waiting for the simulated chip");
      await new Promise<void>((r) => {
        const done = () => {
          clearTimeout(t);
          r();
        };
        const t = setTimeout(done, 20);
        this.#waiters.push(done);
      });
    }
  }

  /** Closes the port. */
  async close(): Promise<void> {
    await this.port.close();
    await this.#reader.cancel().catch(() => {});
  }

  async #pump(): Promise<void> {
    const td = new TextDecoder();
    while (true) {
      const { value, done } = await this.#reader.read().catch(() => ({
        value: undefined,
        done: true,
      }));
      if (done || !value) break;
      const before = this.#decoder.noiseBytes;
      for (const f of this.#decoder.push(value)) this.frames.push(toReply(f));
      if (this.#decoder.noiseBytes > before) {
        this.text += td.decode(value.filter((b) => b !== 0xc0));
      }
      for (const w of this.#waiters.splice(0)) w();
    }
  }
}
