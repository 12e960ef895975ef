/**
 * SLIP framing (RFC 1055 as the ESP ROM uses it) as web streams: 0xC0 ends frames,
 * 0xDB 0xDC / 0xDB 0xDD escape 0xC0 / 0xDB inside them.
 *
 * @module
 */
import { DeviceError } from "../../kernel/mod.ts";

/** Frame delimiter. */
export const SLIP_END = 0xc0;
/** Escape byte. */
export const SLIP_ESC = 0xdb;
const ESC_END = 0xdc;
const ESC_ESC = 0xdd;

/** Encodes one packet as a SLIP frame (delimiter at both ends). */
export function slipEncode(packet: Uint8Array): Uint8Array {
  let n = 2;
  for (const b of packet) n += b === SLIP_END || b === SLIP_ESC ? 2 : 1;
  const out = new Uint8Array(n);
  let o = 0;
  out[o++] = SLIP_END;
  for (const b of packet) {
    if (b === SLIP_END) {
      out[o++] = SLIP_ESC;
      out[o++] = ESC_END;
    } else if (b === SLIP_ESC) {
      out[o++] = SLIP_ESC;
      out[o++] = ESC_ESC;
    } else out[o++] = b;
  }
  out[o] = SLIP_END;
  return out;
}

/** Length of `packet` once SLIP-encoded, delimiters included. */
export function slipLength(packet: Uint8Array): number {
  let n = 2;
  for (const b of packet) n += b === SLIP_END || b === SLIP_ESC ? 2 : 1;
  return n;
}

/**
 * Longest frame accepted from a loader. The largest the ROM or stub sends is a READ_FLASH data
 * frame of one 4 KiB sector; anything four times that is not the ESP serial protocol.
 */
export const MAX_FRAME = 0x4000;

/**
 * Incremental decoder. Bytes outside frames (boot banners, panic text) are collected as
 * "noise" so a caller can report them; an empty frame (`C0 C0`) is treated as a start.
 */
export class SlipDecoder {
  /** Longest frame body accepted; a longer one throws a DeviceError. */
  readonly maxFrame: number;
  #inFrame = false;
  #escaped = false;
  #buf: number[] = [];
  #noise: number[] = [];

  constructor(maxFrame = MAX_FRAME) {
    this.maxFrame = maxFrame;
  }

  /** Feeds bytes; returns the frames they complete; throws a DeviceError on an endless frame. */
  push(chunk: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    for (const b of chunk) {
      if (!this.#inFrame) {
        if (b === SLIP_END) this.#inFrame = true;
        else if (this.#noise.length < 4096) this.#noise.push(b);
        continue;
      }
      if (b === SLIP_END) {
        if (this.#buf.length) {
          frames.push(Uint8Array.from(this.#buf));
          this.#buf = [];
          this.#inFrame = false;
        }
        this.#escaped = false;
        continue;
      }
      if (this.#buf.length >= this.maxFrame) {
        this.#buf = [];
        this.#inFrame = false;
        throw new DeviceError(`the device sent a frame longer than ${this.maxFrame} bytes`, {
          code: "E_FRAME_TOO_LONG",
          hint: "this is not an ESP serial loader (or the baud rate is wrong); check the port",
        });
      }
      if (this.#escaped) {
        this.#escaped = false;
        // An invalid escape keeps the byte, so a corrupt frame fails its own checks later.
        this.#buf.push(b === ESC_END ? SLIP_END : b === ESC_ESC ? SLIP_ESC : b);
      } else if (b === SLIP_ESC) this.#escaped = true;
      else this.#buf.push(b);
    }
    return frames;
  }

  /** Text seen outside frames since the last call, then cleared. */
  takeNoise(): string {
    const s = new TextDecoder().decode(Uint8Array.from(this.#noise));
    this.#noise = [];
    return s;
  }
}

/** A TransformStream from raw serial bytes to decoded SLIP frames. */
export class SlipDecoderStream extends TransformStream<Uint8Array, Uint8Array> {
  /** The decoder, for noise inspection. */
  readonly decoder: SlipDecoder;
  constructor() {
    const decoder = new SlipDecoder();
    super({
      transform(chunk, controller) {
        for (const f of decoder.push(chunk)) controller.enqueue(f);
      },
    });
    this.decoder = decoder;
  }
}

/** A TransformStream from packets to SLIP-encoded frames. */
export class SlipEncoderStream extends TransformStream<Uint8Array, Uint8Array> {
  constructor() {
    super({
      transform(packet, controller) {
        controller.enqueue(slipEncode(packet));
      },
    });
  }
}
