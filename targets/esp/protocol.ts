/**
 * ESP serial-loader packets: request encoding, response parsing, payload builders.
 * Layouts follow esptool's serial-protocol documentation (see the reference notes).
 *
 * @module
 */
import { DeviceError } from "../../kernel/mod.ts";
import { EspCommandError, EspUnsupportedError, opName } from "./errors.ts";

/** Opcodes used by this client. */
export const Op = {
  FLASH_BEGIN: 0x02,
  FLASH_DATA: 0x03,
  FLASH_END: 0x04,
  SYNC: 0x08,
  WRITE_REG: 0x09,
  READ_REG: 0x0a,
  SPI_SET_PARAMS: 0x0b,
  SPI_ATTACH: 0x0d,
  CHANGE_BAUDRATE: 0x0f,
  FLASH_DEFL_BEGIN: 0x10,
  FLASH_DEFL_DATA: 0x11,
  FLASH_DEFL_END: 0x12,
  SPI_FLASH_MD5: 0x13,
  GET_SECURITY_INFO: 0x14,
} as const;

/** SYNC payload: 07 07 12 20 and 32 × 0x55 (also drives the ROM's auto-baud). */
export const SYNC_PAYLOAD: Uint8Array = Uint8Array.from([
  0x07,
  0x07,
  0x12,
  0x20,
  ...new Array(32).fill(0x55),
]);

/** Checksum of data blocks: 0xEF XOR every byte. */
export function checksum(data: Uint8Array): number {
  let c = 0xef;
  for (const b of data) c ^= b;
  return c;
}

/** Little-endian u32 words as bytes. */
export function words(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const v = new DataView(out.buffer);
  values.forEach((w, i) => v.setUint32(i * 4, w >>> 0, true));
  return out;
}

/** A request packet (before SLIP): direction 0, op, size, checksum, data. */
export function encodeRequest(op: number, data: Uint8Array, check = 0): Uint8Array {
  const out = new Uint8Array(8 + data.length);
  const v = new DataView(out.buffer);
  v.setUint8(0, 0x00);
  v.setUint8(1, op);
  v.setUint16(2, data.length, true);
  v.setUint32(4, check >>> 0, true);
  out.set(data, 8);
  return out;
}

/** A data-block request (FLASH_DATA, FLASH_DEFL_DATA): 16-byte sub-header, then data. */
export function encodeDataBlock(op: number, seq: number, block: Uint8Array): Uint8Array {
  const data = new Uint8Array(16 + block.length);
  data.set(words(block.length, seq, 0, 0), 0);
  data.set(block, 16);
  return encodeRequest(op, data, checksum(block));
}

/** A parsed response frame. */
export interface Response {
  /** Echoed opcode. */
  readonly op: number;
  /** The 32-bit value field (READ_REG result). */
  readonly value: number;
  /** Body without the status bytes. */
  readonly body: Uint8Array;
  /** First status byte (0 = success). */
  readonly status: number;
  /** Second status byte (error code on ROM failure). */
  readonly error: number;
}

/** Parses a decoded frame; undefined when it is not a well-formed response. */
export function decodeResponse(frame: Uint8Array, statusLen: 2 | 4): Response | undefined {
  if (frame.length < 8 || frame[0] !== 0x01) return undefined;
  const v = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const size = v.getUint16(2, true);
  if (frame.length < 8 + size) return undefined;
  const data = frame.subarray(8, 8 + size);
  // A stub speaks 2 status bytes even where the ROM would speak 4; trust the length we know.
  const n = data.length >= statusLen ? statusLen : data.length >= 2 ? 2 : 0;
  if (n === 0) return undefined;
  const st = data.subarray(data.length - n);
  return {
    op: frame[1],
    value: v.getUint32(4, true),
    body: data.subarray(0, data.length - n),
    status: st[0],
    error: st[1],
  };
}

/** Throws the typed error a failed response stands for; returns the response otherwise. */
export function checkResponse(op: number, r: Response): Response {
  if (r.status === 0) return r;
  // The ROM answers "invalid message" (0x05) for commands it does not have; stubs use 0xC3/0xFF.
  if (r.error === 0x05 || r.status === 0xc3 || r.status === 0xff) {
    throw new EspUnsupportedError(op);
  }
  throw new EspCommandError(op, r.status >= 0xc0 ? r.status : r.error);
}

/** Decodes an SPI_FLASH_MD5 body: 32 hex chars (ROM) or 16 raw bytes (stub). */
export function decodeMd5(body: Uint8Array): Uint8Array {
  if (body.length === 16) return Uint8Array.from(body);
  if (body.length === 32) {
    const hex = new TextDecoder().decode(body);
    if (/^[0-9a-fA-F]{32}$/.test(hex)) {
      return Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
    }
  }
  throw new DeviceError(`${opName(Op.SPI_FLASH_MD5)} returned a malformed digest`, {
    hint: "the loader's reply was corrupted; lower the baud rate",
  });
}

/** SPI_FLASH_MD5 request body. */
export function md5Request(address: number, size: number): Uint8Array {
  return words(address, size, 0, 0);
}

/** FLASH_BEGIN / FLASH_DEFL_BEGIN body; the 5th word only for ROMs that take it. */
export function beginRequest(
  size: number,
  blocks: number,
  blockSize: number,
  offset: number,
  encryptedWord: boolean,
): Uint8Array {
  return encryptedWord
    ? words(size, blocks, blockSize, offset, 0)
    : words(size, blocks, blockSize, offset);
}
