/**
 * The server side of GDB remote-protocol framing: `$payload#cs` packets in, acks, packets
 * out, binary unescaping of `X` data. Facts from the GDB manual, "Remote Protocol".
 *
 * @module
 */

/** What arrived from the client. */
export type ClientEvent =
  | { readonly kind: "packet"; readonly payload: Uint8Array; readonly valid: boolean }
  | { readonly kind: "interrupt" }
  | { readonly kind: "ack" | "nack" };

/** Incremental parser of client bytes. */
export class ClientParser {
  #state: "idle" | "body" | "cs1" | "cs2" = "idle";
  #body: number[] = [];
  #cs = 0;

  /** Parses `bytes`; returns the events they complete. */
  push(bytes: Uint8Array): ClientEvent[] {
    const out: ClientEvent[] = [];
    for (const b of bytes) {
      if (this.#state === "idle") {
        if (b === 0x24) {
          this.#state = "body";
          this.#body = [];
        } else if (b === 0x03) out.push({ kind: "interrupt" });
        else if (b === 0x2b) out.push({ kind: "ack" });
        else if (b === 0x2d) out.push({ kind: "nack" });
      } else if (this.#state === "body") {
        if (b === 0x23) this.#state = "cs1";
        else this.#body.push(b);
      } else if (this.#state === "cs1") {
        this.#cs = hexValue(b) << 4;
        this.#state = "cs2";
      } else {
        this.#cs |= hexValue(b);
        const payload = Uint8Array.from(this.#body);
        let sum = 0;
        for (const x of payload) sum = (sum + x) & 0xff;
        out.push({ kind: "packet", payload, valid: sum === this.#cs });
        this.#state = "idle";
      }
    }
    return out;
  }
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return 0x100; // never matches a checksum
}

/** `$payload#cs` for a latin-1 payload. */
export function frame(payload: string): Uint8Array {
  const out = new Uint8Array(payload.length + 4);
  out[0] = 0x24;
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    out[i + 1] = payload.charCodeAt(i) & 0xff;
    sum = (sum + out[i + 1]) & 0xff;
  }
  out[payload.length + 1] = 0x23;
  const cs = sum.toString(16).padStart(2, "0");
  out[payload.length + 2] = cs.charCodeAt(0);
  out[payload.length + 3] = cs.charCodeAt(1);
  return out;
}

/** Undoes `}`-escaping of binary data. */
export function unescape(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) {
    out.push(data[i] === 0x7d && i + 1 < data.length ? data[++i] ^ 0x20 : data[i]);
  }
  return Uint8Array.from(out);
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/** Bytes of a hex string (undefined when it is not hex). */
export function fromHex(s: string): Uint8Array | undefined {
  if (s.length % 2 || !/^[0-9a-fA-F]*$/.test(s)) return undefined;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}
