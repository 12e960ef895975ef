/**
 * CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320), as zlib and pyOCD's analyzer compute it.
 *
 * @module
 */
import { crc32 as zlibCrc32 } from "node:zlib";
import type { HashAlgorithm } from "../../kernel/mod.ts";

/** CRC-32 of `data` as an unsigned 32-bit number. */
export function crc32Value(data: Uint8Array): number {
  return zlibCrc32(data) >>> 0;
}

/** CRC-32 (IEEE); the 4-byte digest is big-endian so its hex reads like `cbf43926`. */
export const crc32: HashAlgorithm = {
  name: "crc32",
  digestLength: 4,
  description: "CRC-32 (IEEE 802.3)",
  digest(data) {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, crc32Value(data), false);
    return out;
  },
};
