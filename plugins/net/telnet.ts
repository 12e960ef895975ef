/**
 * Telnet framing (RFC 854/855) as far as RFC 2217 needs it: IAC escaping of data, option
 * verbs, and subnegotiations. The decoder keeps state across chunks, so a command split
 * between two TCP reads decodes the same as one read.
 *
 * @module
 */
import { DeviceError } from "../../kernel/mod.ts";

/** Interpret As Command. */
export const IAC = 255;
export const DONT = 254;
export const DO = 253;
export const WONT = 252;
export const WILL = 251;
/** Subnegotiation begin / end. */
export const SB = 250;
export const SE = 240;
/** Options (RFC 856, RFC 858, RFC 2217). */
export const BINARY = 0;
export const SGA = 3;
export const COM_PORT_OPTION = 44;

/** An option verb. */
export type Verb = typeof WILL | typeof WONT | typeof DO | typeof DONT;

/** Something other than data that arrived. */
export type TelnetEvent =
  | { type: "verb"; verb: Verb; option: number }
  | { type: "sb"; option: number; payload: Uint8Array }
  | { type: "command"; command: number };

/** Doubles every 0xFF so data cannot be taken for a command. */
export function escapeIac(data: Uint8Array): Uint8Array {
  let n = 0;
  for (const b of data) if (b === IAC) n++;
  if (!n) return data;
  const out = new Uint8Array(data.length + n);
  let j = 0;
  for (const b of data) {
    out[j++] = b;
    if (b === IAC) out[j++] = IAC;
  }
  return out;
}

/** `IAC verb option`. */
export function verb(v: Verb, option: number): Uint8Array {
  return new Uint8Array([IAC, v, option]);
}

/** `IAC SB option <payload, IAC-escaped> IAC SE`. */
export function subnegotiation(option: number, payload: Uint8Array): Uint8Array {
  const body = escapeIac(payload);
  const out = new Uint8Array(body.length + 5);
  out.set([IAC, SB, option]);
  out.set(body, 3);
  out.set([IAC, SE], body.length + 3);
  return out;
}

/**
 * Longest subnegotiation accepted. RFC 2217's longest is a SIGNATURE text; servers send a
 * few dozen bytes.
 */
export const MAX_SUBNEGOTIATION = 1024;

const enum S {
  Data,
  Iac,
  Verb,
  SbOption,
  Sb,
  SbIac,
}

/** Splits a telnet byte stream into data and events. */
export class TelnetDecoder {
  #state = S.Data;
  #verb: Verb = WILL;
  #sbOption = 0;
  #sb: number[] = [];

  /** Decodes one chunk. */
  feed(chunk: Uint8Array): { data: Uint8Array; events: TelnetEvent[] } {
    const data = new Uint8Array(chunk.length);
    let n = 0;
    const events: TelnetEvent[] = [];
    for (const b of chunk) {
      switch (this.#state) {
        case S.Data:
          if (b === IAC) this.#state = S.Iac;
          else data[n++] = b;
          break;
        case S.Iac:
          if (b === IAC) {
            data[n++] = IAC;
            this.#state = S.Data;
          } else if (b === WILL || b === WONT || b === DO || b === DONT) {
            this.#verb = b;
            this.#state = S.Verb;
          } else if (b === SB) {
            this.#state = S.SbOption;
          } else {
            events.push({ type: "command", command: b }); // NOP, GA, …: nothing to do
            this.#state = S.Data;
          }
          break;
        case S.Verb:
          events.push({ type: "verb", verb: this.#verb, option: b });
          this.#state = S.Data;
          break;
        case S.SbOption:
          this.#sbOption = b;
          this.#sb = [];
          this.#state = S.Sb;
          break;
        case S.Sb:
          if (b === IAC) this.#state = S.SbIac;
          else this.#pushSb(b);
          break;
        case S.SbIac:
          if (b === IAC) {
            this.#pushSb(IAC);
            this.#state = S.Sb;
          } else {
            // IAC SE ends it; any other command inside a subnegotiation also ends it.
            events.push({ type: "sb", option: this.#sbOption, payload: new Uint8Array(this.#sb) });
            this.#state = S.Data;
          }
          break;
      }
    }
    return { data: data.slice(0, n), events };
  }

  #pushSb(b: number): void {
    if (this.#sb.length >= MAX_SUBNEGOTIATION) {
      this.#sb = [];
      this.#state = S.Data;
      throw new DeviceError(
        `the server sent a telnet subnegotiation longer than ${MAX_SUBNEGOTIATION} bytes`,
        {
          code: "E_RFC2217",
          hint: "the server does not speak telnet/RFC 2217; try socket://host:port",
        },
      );
    }
    this.#sb.push(b);
  }
}
