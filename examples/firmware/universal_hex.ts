/**
 * Combines per-board images into one micro:bit Universal Hex, in the "512-byte aligned
 * sections" layout of the Universal Hex specification (microbit-foundation/spec-universal-hex,
 * `docs/format.md` v0.4.0): per board, an extended linear address record, a block start record
 * (0x0A) with the board id, the data (record type 0x00 for V1 boards, 0x0D for the others),
 * padding records (0x0C) up to a multiple of 512 bytes of text, a block end record (0x0B); one
 * end-of-file record closes the file. Lines end in "\n"; data records carry at most 16 bytes.
 *
 * @module
 */
import { type FlashImage, ImageFormatError } from "../../kernel/mod.ts";
import { MICROBIT_V1_BOARD_IDS, parseIntelHex } from "../../plugins/formats/ihex.ts";

/** One section of a Universal Hex: the image for one board id (0x9900 V1, 0x9903 V2, …). */
export interface UniversalSection {
  /** Board id written into the block start record. */
  readonly boardId: number;
  /** The flash contents for that board. */
  readonly image: FlashImage;
}

/** Sections are padded to a multiple of this many bytes of hex text. */
export const SECTION_ALIGN = 512;
const RECORD_BYTES = 16;
/** Largest padding record: 32 bytes of data (DAPLink reads records of up to 32). */
const MAX_PAD_DATA = 32;

/** One Intel HEX record with its checksum, followed by "\n". */
export function record(type: number, offset: number, data: ArrayLike<number> = []): string {
  const bytes = [data.length, (offset >> 8) & 0xff, offset & 0xff, type, ...Array.from(data)];
  const sum = bytes.reduce((a, b) => a + b, 0);
  bytes.push((0x100 - (sum & 0xff)) & 0xff);
  return ":" + bytes.map((b) => b.toString(16).padStart(2, "0").toUpperCase()).join("") + "\n";
}

const recordLength = (dataBytes: number) => 12 + 2 * dataBytes;

/** The text of one section, its length a multiple of {@link SECTION_ALIGN}. */
export function sectionText({ boardId, image }: UniversalSection): string {
  const dataType = MICROBIT_V1_BOARD_IDS.includes(boardId) ? 0x00 : 0x0d;
  const lines: string[] = [];
  let upper = -1;
  const setUpper = (address: number) => {
    const u = Math.floor(address / 0x10000);
    if (u !== upper) lines.push(record(0x04, 0, [u >> 8, u & 0xff]));
    upper = u;
  };
  setUpper(image.start);
  lines.push(record(0x0a, 0, [boardId >> 8, boardId & 0xff, 0xc0, 0xde]));
  for (const seg of image.segments) {
    let a = seg.address;
    const end = seg.address + seg.data.length;
    while (a < end) {
      // Records stop at 16-byte boundaries, so they never cross a 64 KiB boundary either.
      const n = Math.min(end, (Math.floor(a / RECORD_BYTES) + 1) * RECORD_BYTES) - a;
      setUpper(a);
      lines.push(
        record(dataType, a & 0xffff, seg.data.subarray(a - seg.address, a - seg.address + n)),
      );
      a += n;
    }
  }
  const blockEnd = record(0x0b, 0);
  const used = lines.reduce((n, l) => n + l.length, 0) + blockEnd.length;
  let pad = (SECTION_ALIGN - (used % SECTION_ALIGN)) % SECTION_ALIGN;
  // Every record is an even number of characters, and the shortest padding record is 12.
  if (pad > 0 && pad < recordLength(0)) pad += SECTION_ALIGN;
  const longest = recordLength(MAX_PAD_DATA);
  while (pad > 0) {
    const len = pad <= longest
      ? pad
      : pad - longest >= recordLength(0)
      ? longest
      : pad - recordLength(0);
    lines.push(record(0x0c, 0, new Uint8Array((len - recordLength(0)) / 2).fill(0xff)));
    pad -= len;
  }
  lines.push(blockEnd);
  return lines.join("");
}

/** Builds a Universal Hex from sections (put the V1 section first, as the spec recommends). */
export function universalHex(sections: readonly UniversalSection[]): string {
  return sections.map(sectionText).join("") + record(0x01, 0);
}

/** Builds a Universal Hex from two plain Intel HEX texts (V1 as 0x9900, V2 as 0x9903). */
export function universalHexFromHex(v1Hex: string, v2Hex: string): string {
  const image = (text: string, name: string) => {
    const parsed = parseIntelHex(text, name);
    if (parsed.universal) {
      throw new ImageFormatError(name, "is already a Universal Hex", {
        hint: "pass the plain per-chip hex files",
      });
    }
    return parsed.sections[0].image;
  };
  return universalHex([
    { boardId: 0x9900, image: image(v1Hex, "v1 hex") },
    { boardId: 0x9903, image: image(v2Hex, "v2 hex") },
  ]);
}
