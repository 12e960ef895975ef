/**
 * Intel HEX reader for loading test images into a simulated board, including the micro:bit
 * Universal Hex record types (spec-universal-hex v0.4.0: 0x0A block start with the board id,
 * 0x0B block end, 0x0C padding, 0x0D data hidden from V1, 0x0E other data). Only the
 * section whose board id belongs to the board's family is kept (9900/9901 = V1,
 * 9903–9906 = V2), as DAPLink does.
 *
 * @module
 */
import { UsageError } from "../../kernel/mod.ts";

/** A run of bytes at an address. */
export interface HexSegment {
  readonly address: number;
  readonly data: Uint8Array;
}

/** Board ids of one micro:bit family. */
function family(boardId: number): number[] {
  if (boardId === 0x9900 || boardId === 0x9901) return [0x9900, 0x9901];
  if (boardId >= 0x9903 && boardId <= 0x9906) return [0x9903, 0x9904, 0x9905, 0x9906];
  return [boardId];
}

/** Parses `text`, keeping plain data and the Universal Hex section for `boardId` (hex digits). */
export function parseHexForBoard(text: string, boardId: string): HexSegment[] {
  const wanted = family(parseInt(boardId, 16));
  const out: HexSegment[] = [];
  let base = 0;
  let block: number | null = null;
  text.split(/\r?\n/).forEach((line, n) => {
    line = line.trim();
    if (!line) return;
    if (!/^:[0-9a-fA-F]+$/.test(line) || line.length % 2 === 0) {
      throw new UsageError(`bad Intel HEX record on line ${n + 1}`);
    }
    const bytes = Uint8Array.from(line.slice(1).match(/../g)!, (h) => parseInt(h, 16));
    const len = bytes[0];
    if (bytes.length !== len + 5 || bytes.reduce((a, b) => a + b, 0) & 0xff) {
      throw new UsageError(`bad Intel HEX length or checksum on line ${n + 1}`);
    }
    const offset = (bytes[1] << 8) | bytes[2];
    const data = bytes.subarray(4, 4 + len);
    switch (bytes[3]) {
      case 0x00:
      case 0x0d:
        if (block === null || wanted.includes(block)) {
          out.push({ address: (base + offset) >>> 0, data: data.slice() });
        }
        break;
      case 0x02:
        base = ((data[0] << 8) | data[1]) * 16;
        break;
      case 0x04:
        base = (((data[0] << 8) | data[1]) << 16) >>> 0;
        break;
      case 0x0a:
        block = (data[0] << 8) | data[1];
        break;
      case 0x0b:
        block = null;
        break;
    }
  });
  return out;
}
