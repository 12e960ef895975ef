/**
 * Wire format of the ESP serial loader: opcodes, status codes, request parsing and response
 * building (reference: esptool serial-protocol docs, esptool-js 0.7.0 `ESPLoader`).
 *
 * @module
 */

/** Command opcodes. */
export const Op = {
  FLASH_BEGIN: 0x02,
  FLASH_DATA: 0x03,
  FLASH_END: 0x04,
  MEM_BEGIN: 0x05,
  MEM_END: 0x06,
  MEM_DATA: 0x07,
  SYNC: 0x08,
  WRITE_REG: 0x09,
  READ_REG: 0x0a,
  SPI_SET_PARAMS: 0x0b,
  SPI_ATTACH: 0x0d,
  READ_FLASH_SLOW: 0x0e,
  CHANGE_BAUDRATE: 0x0f,
  FLASH_DEFL_BEGIN: 0x10,
  FLASH_DEFL_DATA: 0x11,
  FLASH_DEFL_END: 0x12,
  SPI_FLASH_MD5: 0x13,
  GET_SECURITY_INFO: 0x14,
  ERASE_FLASH: 0xd0,
  ERASE_REGION: 0xd1,
  READ_FLASH: 0xd2,
  RUN_USER_CODE: 0xd3,
} as const;

/** ROM error codes (second status byte, with the first byte = 1). */
export const RomError = {
  INVALID_MESSAGE: 0x05,
  FAILED: 0x06,
  BAD_CHECKSUM: 0x07,
  FLASH_WRITE: 0x08,
  FLASH_READ: 0x09,
  FLASH_READ_LENGTH: 0x0a,
  DEFLATE: 0x0b,
  DEFLATE_ADLER32: 0x0c,
  DEFLATE_PARAM: 0x0d,
  RAM_SIZE: 0x0e,
  RAM_ADDRESS: 0x0f,
  INVALID_PARAM: 0x64,
} as const;

/** Stub error codes (first status byte). */
export const StubError = {
  BAD_DATA_LEN: 0xc0,
  BAD_DATA_CHECKSUM: 0xc1,
  BAD_BLOCKSIZE: 0xc2,
  INVALID_COMMAND: 0xc3,
  FAILED_SPI_OP: 0xc4,
  FAILED_SPI_UNLOCK: 0xc5,
  NOT_IN_FLASH_MODE: 0xc6,
  INFLATE_ERROR: 0xc7,
  NOT_ENOUGH_DATA: 0xc8,
  TOO_MUCH_DATA: 0xc9,
  NOT_IMPLEMENTED: 0xff,
} as const;

/** The SYNC payload: 07 07 12 20 then 32 × 0x55. */
export const SYNC_PAYLOAD: Uint8Array = Uint8Array.from([
  0x07,
  0x07,
  0x12,
  0x20,
  ...new Array(32).fill(0x55),
]);

/** Initial value of the XOR checksum over data blocks. */
export const CHECKSUM_SEED = 0xef;

/** A parsed request packet. */
export interface Request {
  /** Opcode. */
  readonly op: number;
  /** The size field from the header. */
  readonly size: number;
  /** The checksum field. */
  readonly checksum: number;
  /** The data that followed the header. */
  readonly data: Uint8Array;
}

/** Parses a request packet; undefined when it is not one (wrong direction or too short). */
export function parseRequest(packet: Uint8Array): Request | undefined {
  if (packet.length < 8 || packet[0] !== 0x00) return undefined;
  const v = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  return {
    op: packet[1],
    size: v.getUint16(2, true),
    checksum: v.getUint32(4, true),
    data: packet.subarray(8),
  };
}

/** XOR checksum of a data block, seeded with 0xEF. */
export function checksum(data: Uint8Array): number {
  let c = CHECKSUM_SEED;
  for (const b of data) c ^= b;
  return c;
}

/** Reads little-endian u32 word `i` of `data`. */
export function word(data: Uint8Array, i: number): number {
  const o = i * 4;
  return (data[o] | (data[o + 1] << 8) | (data[o + 2] << 16) | (data[o + 3] << 24)) >>> 0;
}

/** Builds a response packet (before SLIP): `01 op size value data`. */
export function responsePacket(op: number, value: number, data: Uint8Array): Uint8Array {
  const p = new Uint8Array(8 + data.length);
  const v = new DataView(p.buffer);
  p[0] = 0x01;
  p[1] = op;
  v.setUint16(2, data.length, true);
  v.setUint32(4, value >>> 0, true);
  p.set(data, 8);
  return p;
}

/**
 * Status trailer. ROM: `[status, error, 0, 0]` (status 1 on failure); stub: `[code, 0]`
 * where code 0 means success.
 */
export function statusBytes(count: 2 | 4, error: number | undefined): Uint8Array {
  const s = new Uint8Array(count);
  if (error !== undefined) {
    if (count === 4) {
      s[0] = 1;
      s[1] = error;
    } else {
      s[0] = error;
    }
  }
  return s;
}

/** Lower-case hex of bytes. */
export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
