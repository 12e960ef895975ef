/**
 * GDB remote serial protocol framing: `$payload#cs` packets, acks, binary escaping,
 * run-length decoding and an incremental parser for the byte stream from a gdbserver.
 *
 * Facts from the GDB manual, "Remote Protocol" → "Overview" and "Binary Data".
 *
 * @module
 */
import { DeviceError } from "../../kernel/mod.ts";

const DOLLAR = 0x24, HASH = 0x23, ESC = 0x7d, STAR = 0x2a, PERCENT = 0x25;
const ACK = 0x2b, NACK = 0x2d;

/** The interrupt byte (Ctrl-C) sent outside any packet. */
export const INTERRUPT = 0x03;

const enc = new TextEncoder();

/** Latin-1 bytes of a string (payloads are 8-bit clean; hex and ASCII in practice). */
export function latin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** String of latin-1 bytes. */
export function fromLatin1(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 4096) {
    s += String.fromCharCode(...b.subarray(i, i + 4096));
  }
  return s;
}

/** Code of the errors a malformed or oversized packet from a gdbserver raises. */
export const GDB_PROTOCOL_ERROR = "E_GDB_PROTOCOL";

/** Longest packet accepted before the server's PacketSize is known (qSupported replies fit). */
export const DEFAULT_PACKET_LIMIT = 0x4000;

/** A DeviceError for a reply that breaks the remote protocol. */
export function protocolError(message: string): DeviceError {
  return new DeviceError(`gdbserver: ${message}`, {
    code: GDB_PROTOCOL_ERROR,
    hint: "the server's reply breaks the GDB remote protocol; check the server and the link",
  });
}

/** Modulo-256 sum of the payload bytes. */
export function checksum(payload: Uint8Array): number {
  let s = 0;
  for (const b of payload) s = (s + b) & 0xff;
  return s;
}

/** A framed packet: `$`, payload, `#`, two lower-case hex checksum digits. */
export function framePacket(payload: Uint8Array | string): Uint8Array {
  const body = typeof payload === "string" ? latin1(payload) : payload;
  const out = new Uint8Array(body.length + 4);
  out[0] = DOLLAR;
  out.set(body, 1);
  out[body.length + 1] = HASH;
  out.set(enc.encode(checksum(body).toString(16).padStart(2, "0")), body.length + 2);
  return out;
}

/** Escapes `#`, `$`, `}` and `*` as `}` followed by the byte XOR 0x20 (for `X` data). */
export function escapeBinary(data: Uint8Array): Uint8Array {
  let extra = 0;
  for (const b of data) if (needsEscape(b)) extra++;
  const out = new Uint8Array(data.length + extra);
  let j = 0;
  for (const b of data) {
    if (needsEscape(b)) {
      out[j++] = ESC;
      out[j++] = b ^ 0x20;
    } else out[j++] = b;
  }
  return out;
}

function needsEscape(b: number): boolean {
  return b === HASH || b === DOLLAR || b === ESC || b === STAR;
}

/** Reverses {@link escapeBinary}. */
export function unescapeBinary(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length);
  let j = 0;
  for (let i = 0; i < data.length; i++) {
    out[j++] = data[i] === ESC && i + 1 < data.length ? data[++i] ^ 0x20 : data[i];
  }
  return out.slice(0, j);
}

/**
 * Expands run-length encoding in a reply: `X*n` repeats X a further `n.charCode - 29` times.
 * Throws a DeviceError on a `*` with no preceding byte or count, or when the expanded reply
 * would exceed `limit` bytes (a run-length bomb).
 */
export function decodeRle(payload: Uint8Array, limit = Infinity): Uint8Array {
  if (!payload.includes(STAR)) return payload;
  let out = new Uint8Array(Math.min(limit, payload.length * 2) || 1);
  let n = 0;
  const put = (b: number, count: number) => {
    if (n + count > limit) {
      throw protocolError(`run-length encoded reply expands beyond ${limit} bytes`);
    }
    if (n + count > out.length) {
      const next = new Uint8Array(Math.min(limit, Math.max(out.length * 2, n + count)));
      next.set(out.subarray(0, n));
      out = next;
    }
    out.fill(b, n, n + count);
    n += count;
  };
  for (let i = 0; i < payload.length; i++) {
    const b = payload[i];
    if (b !== STAR) {
      put(b, 1);
      continue;
    }
    if (!n || i + 1 >= payload.length) throw protocolError("malformed run-length encoding");
    const count = payload[++i] - 29;
    if (count < 0) throw protocolError("malformed run-length count");
    put(out[n - 1], count);
  }
  return out.slice(0, n);
}

/** What the parser found in the incoming byte stream. */
export type RspEvent =
  | { kind: "ack" }
  | { kind: "nack" }
  | { kind: "interrupt" }
  | { kind: "packet"; payload: Uint8Array; valid: boolean; notification: boolean };

/**
 * Incremental parser: feed bytes, get acks, nacks and packets (raw payload, RLE not yet
 * expanded, with checksum validity). Bytes outside packets other than `+`, `-` and 0x03
 * are ignored, as GDB does.
 */
export class RspParser {
  /** Longest packet body accepted; a longer one throws a DeviceError. */
  limit: number;
  #state: "idle" | "body" | "cs1" | "cs2" = "idle";
  #body: number[] = [];
  #cs = "";
  #notification = false;

  constructor(limit = DEFAULT_PACKET_LIMIT) {
    this.limit = limit;
  }

  /** Parses `bytes`; returns the events they complete. */
  push(bytes: Uint8Array): RspEvent[] {
    const events: RspEvent[] = [];
    for (const b of bytes) {
      switch (this.#state) {
        case "idle":
          if (b === DOLLAR || b === PERCENT) {
            this.#state = "body";
            this.#body = [];
            this.#notification = b === PERCENT;
          } else if (b === ACK) events.push({ kind: "ack" });
          else if (b === NACK) events.push({ kind: "nack" });
          else if (b === INTERRUPT) events.push({ kind: "interrupt" });
          break;
        case "body":
          if (b === HASH) this.#state = "cs1";
          else if (this.#body.length >= this.limit) {
            this.#state = "idle";
            this.#body = [];
            throw protocolError(`packet longer than ${this.limit} bytes`);
          } else this.#body.push(b);
          break;
        case "cs1":
          this.#cs = String.fromCharCode(b);
          this.#state = "cs2";
          break;
        case "cs2": {
          this.#cs += String.fromCharCode(b);
          const payload = Uint8Array.from(this.#body);
          const valid = /^[0-9a-f]{2}$/i.test(this.#cs) &&
            parseInt(this.#cs, 16) === checksum(payload);
          events.push({ kind: "packet", payload, valid, notification: this.#notification });
          this.#state = "idle";
          break;
        }
      }
    }
    return events;
  }
}

/** Lower-case hex of bytes. */
export function hex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/** Bytes of a hex string; throws a DeviceError on odd length or non-hex digits. */
export function unhex(s: string): Uint8Array {
  if (s.length % 2 || !/^[0-9a-f]*$/i.test(s)) {
    throw protocolError(`expected hex, got '${JSON.stringify(s.slice(0, 40)).slice(1, -1)}'`);
  }
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Hex of a little-endian 32-bit value (target byte order for ARM registers). */
export function hexLe32(value: number): string {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value >>> 0, true);
  return hex(b);
}

/** Value of little-endian hex bytes (up to 4 bytes). */
export function parseLe32(s: string): number {
  const b = unhex(s);
  let v = 0;
  for (let i = Math.min(b.length, 4) - 1; i >= 0; i--) v = (v * 256 + b[i]) >>> 0;
  return v;
}
