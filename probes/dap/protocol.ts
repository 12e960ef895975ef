/**
 * CMSIS-DAP v1 command encoding and decoding: pure functions over byte arrays, so the wire
 * format is testable without a probe. Numbers follow ARM's CMSIS-DAP `DAP.h` (V2.1.2).
 *
 * @module
 */
import { DeviceError } from "../../kernel/mod.ts";

/** Command ids. */
export const Cmd = {
  Info: 0x00,
  Connect: 0x02,
  Disconnect: 0x03,
  TransferConfigure: 0x04,
  Transfer: 0x05,
  TransferBlock: 0x06,
  WriteAbort: 0x08,
  ResetTarget: 0x0a,
  SwjClock: 0x11,
  SwjSequence: 0x12,
  SwdConfigure: 0x13,
  /** DAPLink vendor command: unique id string (board id + serial). */
  VendorUniqueId: 0x80,
} as const;

/** DAP_Info ids. */
export const InfoId = {
  Vendor: 0x01,
  Product: 0x02,
  Serial: 0x03,
  FirmwareVersion: 0x04,
  Capabilities: 0xf0,
  PacketCount: 0xfe,
  PacketSize: 0xff,
} as const;

/** Transfer request bits. */
export const Req = {
  AP: 0x01,
  READ: 0x02,
  A2: 0x04,
  A3: 0x08,
  MATCH_VALUE: 0x10,
  MATCH_MASK: 0x20,
} as const;

/** Transfer response bits (ACK in bits 0–2). */
export const Ack = {
  OK: 0x01,
  WAIT: 0x02,
  FAULT: 0x04,
  NO_ACK: 0x07,
  PROTOCOL_ERROR: 0x08,
  MISMATCH: 0x10,
} as const;

/** One register access inside a DAP_Transfer. */
export interface TransferOp {
  /** Request byte (APnDP, RnW, A2, A3, match bits). */
  readonly req: number;
  /** Data for writes, match masks and match values. */
  readonly value?: number;
}

/** True when the request carries a data word (writes, mask writes, match reads). */
export function carriesValue(req: number): boolean {
  return (req & Req.READ) === 0 || (req & Req.MATCH_VALUE) !== 0;
}

/** True when the response returns a data word for this request (plain reads). */
export function returnsValue(req: number): boolean {
  return (req & Req.READ) !== 0 && (req & Req.MATCH_VALUE) === 0;
}

/** Result of a DAP_Transfer or DAP_TransferBlock. */
export interface TransferResult {
  /** Transfers completed. */
  readonly done: number;
  /** Response byte of the last transfer. */
  readonly ack: number;
  /** Words read, in request order (only those completed). */
  readonly values: number[];
}

/** Describes a response byte for messages. */
export function ackName(ack: number): string {
  if (ack & Ack.MISMATCH) return "value mismatch";
  if (ack & Ack.PROTOCOL_ERROR) return "SWD protocol error";
  switch (ack & 7) {
    case Ack.OK:
      return "OK";
    case Ack.WAIT:
      return "WAIT";
    case Ack.FAULT:
      return "FAULT";
    case Ack.NO_ACK:
      return "no ACK (target not responding)";
    default:
      return `bad ACK ${ack & 7}`;
  }
}

function put32(out: Uint8Array, at: number, v: number): void {
  out[at] = v & 0xff;
  out[at + 1] = (v >>> 8) & 0xff;
  out[at + 2] = (v >>> 16) & 0xff;
  out[at + 3] = (v >>> 24) & 0xff;
}

/** Little-endian u32 at `at`. */
export function get32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

/** Request bytes a list of ops needs (header included). */
export function transferRequestSize(ops: readonly TransferOp[]): number {
  return ops.reduce((n, o) => n + (carriesValue(o.req) ? 5 : 1), 3);
}

/** Response bytes a list of ops needs (header included). */
export function transferResponseSize(ops: readonly TransferOp[]): number {
  return ops.reduce((n, o) => n + (returnsValue(o.req) ? 4 : 0), 3);
}

/** DAP_Transfer request for `ops` (at most 255 and fitting one packet). */
export function encodeTransfer(ops: readonly TransferOp[]): Uint8Array {
  if (ops.length === 0 || ops.length > 255) throw new RangeError("1..255 transfers per packet");
  const out = new Uint8Array(transferRequestSize(ops));
  out[0] = Cmd.Transfer;
  out[1] = 0; // DAP index: ignored for SWD
  out[2] = ops.length;
  let p = 3;
  for (const o of ops) {
    out[p++] = o.req;
    if (carriesValue(o.req)) {
      put32(out, p, o.value ?? 0);
      p += 4;
    }
  }
  return out;
}

/** Decodes a DAP_Transfer response for the ops that were sent. */
export function decodeTransfer(resp: Uint8Array, ops: readonly TransferOp[]): TransferResult {
  if (resp[0] !== Cmd.Transfer || resp.length < 3) {
    throw new DeviceError(`malformed DAP_Transfer response (id 0x${resp[0]?.toString(16)})`);
  }
  const done = resp[1], ack = resp[2];
  const values: number[] = [];
  let p = 3;
  // Only completed reads carry data; the failing transfer (if any) returns none.
  for (let i = 0; i < Math.min(done, ops.length); i++) {
    if (!returnsValue(ops[i].req)) continue;
    if (p + 4 > resp.length) throw new DeviceError("DAP_Transfer response is too short");
    values.push(get32(resp, p));
    p += 4;
  }
  return { done, ack, values };
}

/** Splits ops into groups that each fit one DAP_Transfer packet both ways. */
export function packTransfers(ops: readonly TransferOp[], packetSize: number): TransferOp[][] {
  const groups: TransferOp[][] = [];
  let cur: TransferOp[] = [], req = 3, resp = 3;
  for (const o of ops) {
    const dq = carriesValue(o.req) ? 5 : 1, dr = returnsValue(o.req) ? 4 : 0;
    if (cur.length && (req + dq > packetSize || resp + dr > packetSize || cur.length === 255)) {
      groups.push(cur);
      cur = [];
      req = 3;
      resp = 3;
    }
    cur.push(o);
    req += dq;
    resp += dr;
  }
  if (cur.length) groups.push(cur);
  return groups;
}

/**
 * Words per DAP_TransferBlock packet: writes are limited by the request, reads by the reply.
 * At least one, so every loop over blocks progresses (a packet that does not fit the probe's
 * packets is refused when it is sent).
 */
export function blockCapacity(packetSize: number, read: boolean): number {
  return Math.max(1, Math.floor((packetSize - (read ? 4 : 5)) / 4));
}

/** DAP_TransferBlock write of `words` to one register. */
export function encodeBlockWrite(req: number, words: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(5 + 4 * words.length);
  out[0] = Cmd.TransferBlock;
  out[2] = words.length & 0xff;
  out[3] = words.length >> 8;
  out[4] = req & ~Req.READ;
  for (let i = 0; i < words.length; i++) put32(out, 5 + 4 * i, words[i]);
  return out;
}

/** DAP_TransferBlock read of `count` words from one register. */
export function encodeBlockRead(req: number, count: number): Uint8Array {
  return Uint8Array.of(Cmd.TransferBlock, 0, count & 0xff, count >> 8, req | Req.READ);
}

/** Decodes a DAP_TransferBlock response. */
export function decodeBlock(resp: Uint8Array): TransferResult {
  if (resp[0] !== Cmd.TransferBlock || resp.length < 4) {
    throw new DeviceError(`malformed DAP_TransferBlock response (id 0x${resp[0]?.toString(16)})`);
  }
  const done = resp[1] | (resp[2] << 8), ack = resp[3];
  const values: number[] = [];
  const n = Math.min(done, Math.floor((resp.length - 4) / 4));
  for (let i = 0; i < n; i++) values.push(get32(resp, 4 + 4 * i));
  return { done, ack, values };
}

/** DAP_Info request. */
export function encodeInfo(id: number): Uint8Array {
  return Uint8Array.of(Cmd.Info, id);
}

/** The data bytes of a DAP_Info response. */
export function decodeInfo(resp: Uint8Array): Uint8Array {
  if (resp[0] !== Cmd.Info) throw new DeviceError("malformed DAP_Info response");
  return resp.subarray(2, 2 + resp[1]);
}

/** DAP_SWJ_Clock request. */
export function encodeSwjClock(hz: number): Uint8Array {
  const out = new Uint8Array(5);
  out[0] = Cmd.SwjClock;
  put32(out, 1, hz);
  return out;
}

/** DAP_SWJ_Sequence request: `bits` bits (1..256) of `data`, LSB first. */
export function encodeSwjSequence(bits: number, data: ArrayLike<number>): Uint8Array {
  const bytes = Math.ceil(bits / 8);
  const out = new Uint8Array(2 + bytes);
  out[0] = Cmd.SwjSequence;
  out[1] = bits & 0xff; // 0 means 256
  for (let i = 0; i < bytes; i++) out[2 + i] = data[i] ?? 0;
  return out;
}

/**
 * Line reset, JTAG-to-SWD switch, line reset, idle: 56 ones, 0xE79E (LSB first), 56 ones,
 * 8 zeros (ADIv5 §5.2.1; ≥50 ones are needed for a line reset).
 */
export function jtagToSwdSequence(): Uint8Array[] {
  const ones = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
  return [
    encodeSwjSequence(56, ones),
    encodeSwjSequence(16, [0x9e, 0xe7]),
    encodeSwjSequence(56, ones),
    encodeSwjSequence(8, [0x00]),
  ];
}

/** DAP_TransferConfigure request. */
export function encodeTransferConfigure(idle: number, waitRetry: number, matchRetry: number) {
  return Uint8Array.of(
    Cmd.TransferConfigure,
    idle,
    waitRetry & 0xff,
    waitRetry >> 8,
    matchRetry & 0xff,
    matchRetry >> 8,
  );
}

/** DAP_WriteABORT request. */
export function encodeWriteAbort(value: number): Uint8Array {
  const out = new Uint8Array(6);
  out[0] = Cmd.WriteAbort;
  put32(out, 2, value);
  return out;
}

/** Board id (first four characters) of a DAPLink unique id string, e.g. `9904`. */
export function boardIdFromUniqueId(resp: Uint8Array): string | undefined {
  if (resp[0] !== Cmd.VendorUniqueId || resp[1] < 4) return undefined;
  const text = new TextDecoder().decode(resp.subarray(2, 2 + resp[1]));
  return /^[0-9A-Fa-f]{4}/.test(text) ? text.slice(0, 4) : undefined;
}
