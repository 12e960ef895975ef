/**
 * SLIP framing as the ESP ROM loader uses it: every packet starts and ends with 0xC0;
 * inside, 0xC0 is sent as DB DC and 0xDB as DB DD.
 *
 * @module
 */

/** Frame delimiter. */
export const SLIP_END = 0xc0;
/** Escape byte. */
export const SLIP_ESC = 0xdb;
/** Escaped form of END (after ESC). */
export const SLIP_ESC_END = 0xdc;
/** Escaped form of ESC (after ESC). */
export const SLIP_ESC_ESC = 0xdd;

/** Wraps one packet in a SLIP frame. */
export function slipEncode(packet: Uint8Array): Uint8Array {
  let extra = 0;
  for (const b of packet) if (b === SLIP_END || b === SLIP_ESC) extra++;
  const out = new Uint8Array(packet.length + extra + 2);
  let o = 0;
  out[o++] = SLIP_END;
  for (const b of packet) {
    if (b === SLIP_END) {
      out[o++] = SLIP_ESC;
      out[o++] = SLIP_ESC_END;
    } else if (b === SLIP_ESC) {
      out[o++] = SLIP_ESC;
      out[o++] = SLIP_ESC_ESC;
    } else {
      out[o++] = b;
    }
  }
  out[o] = SLIP_END;
  return out;
}

/**
 * Streaming SLIP decoder. Bytes outside a frame are counted as noise (the ROM loader ignores
 * them); an invalid escape drops the frame in progress, as a receiver has nothing better to do.
 */
export class SlipDecoder {
  #buf: number[] = [];
  #inFrame = false;
  #escaping = false;
  /** Bytes seen outside any frame. */
  noiseBytes = 0;
  /** Frames dropped for a bad escape sequence. */
  badFrames = 0;

  /** Feeds bytes; returns the packets completed by them (empty packets are skipped). */
  push(bytes: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    for (const b of bytes) {
      if (!this.#inFrame) {
        if (b === SLIP_END) {
          this.#inFrame = true;
          this.#buf = [];
        } else {
          this.noiseBytes++;
        }
        continue;
      }
      if (this.#escaping) {
        this.#escaping = false;
        if (b === SLIP_ESC_END) this.#buf.push(SLIP_END);
        else if (b === SLIP_ESC_ESC) this.#buf.push(SLIP_ESC);
        else {
          this.badFrames++;
          this.#inFrame = b === SLIP_END;
          this.#buf = [];
        }
        continue;
      }
      if (b === SLIP_ESC) this.#escaping = true;
      else if (b === SLIP_END) {
        // END closes a non-empty frame; an END right after a start (C0 C0) opens one.
        if (this.#buf.length) {
          frames.push(Uint8Array.from(this.#buf));
          this.#buf = [];
          this.#inFrame = false;
        }
      } else {
        this.#buf.push(b);
      }
    }
    return frames;
  }

  /** Forgets any partial frame (after a reset or a baud change). */
  reset(): void {
    this.#buf = [];
    this.#inFrame = false;
    this.#escaping = false;
  }
}
