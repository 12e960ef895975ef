/**
 * Intel HEX writing for tests: records with correct checksums, whole images, and the MakeCode V1
 * download layout (program, end-of-file record, then the packed source at 0x20000000).
 *
 * @module
 */
import type { FlashImage } from "../../kernel/mod.ts";

/** The end-of-file record. */
export const EOF_RECORD = ":00000001FF";

/** One record with a correct checksum. */
export function rec(type: number, offset: number, data: readonly number[]): string {
  const bytes = [data.length, offset >> 8, offset & 0xff, type, ...data];
  const sum = bytes.reduce((a, b) => a + b, 0);
  return ":" + [...bytes, (0x100 - (sum & 0xff)) & 0xff]
    .map((b) => b.toString(16).padStart(2, "0").toUpperCase()).join("");
}

/** Data records (16 bytes each) for an image, with extended linear address records; no EOF. */
export function imageRecords(image: FlashImage): string[] {
  const out: string[] = [];
  let upper = -1;
  for (const s of image.segments) {
    for (let i = 0; i < s.data.length;) {
      const a = s.address + i;
      if (a >>> 16 !== upper) {
        upper = a >>> 16;
        out.push(rec(0x04, 0, [upper >> 8, upper & 0xff]));
      }
      const n = Math.min(16, s.data.length - i, 0x10000 - (a & 0xffff));
      out.push(rec(0x00, a & 0xffff, [...s.data.subarray(i, i + n)]));
      i += n;
    }
  }
  return out;
}

/**
 * MakeCode's packed source as pxt's hexfile.ts lays it out: magic 41140E2FB82FA2BB, meta length
 * and text length (16-bit little endian), 4 reserved bytes, the JSON meta, the compressed text.
 */
export function packedSource(textBytes = 600): number[] {
  const meta = new TextEncoder().encode(JSON.stringify({ compression: "LZMA", headerSize: 98 }));
  const text = Array.from({ length: textBytes }, (_, i) => (i * 37 + 11) & 0xff);
  return [
    ...[0x41, 0x14, 0x0e, 0x2f, 0xb8, 0x2f, 0xa2, 0xbb],
    ...[meta.length & 0xff, meta.length >> 8, text.length & 0xff, text.length >> 8, 0, 0, 0, 0],
    ...meta,
    ...text,
  ];
}

/**
 * A MakeCode V1 download whose source did not fit in flash: the program's records, the
 * end-of-file record, one extended linear address record for 0x20000000 and 16-byte data
 * records of the packed source, with no second end-of-file record.
 */
export function makecodeV1Hex(programRecords: readonly string[], textBytes = 600): string[] {
  const packed = packedSource(textBytes);
  const lines = [...programRecords, EOF_RECORD, rec(0x04, 0, [0x20, 0x00])];
  for (let i = 0; i < packed.length; i += 16) {
    const chunk = packed.slice(i, i + 16);
    while (chunk.length < 16) chunk.push(0);
    lines.push(rec(0x00, i, chunk));
  }
  return lines;
}
