/**
 * Intel HEX (record types 00–05) and micro:bit Universal Hex (0A–0E), in one line parser.
 *
 * @module
 */
import {
  EXIT_USAGE,
  FlashImage,
  type ImageFormat,
  ImageFormatError,
  UsageError,
} from "../../kernel/mod.ts";
import { SegmentBuilder } from "./segments.ts";

/** Board ids of micro:bit V1 (nRF51822). */
export const MICROBIT_V1_BOARD_IDS: readonly number[] = [0x9900, 0x9901];
/** Board ids of micro:bit V2 (nRF52833). */
export const MICROBIT_V2_BOARD_IDS: readonly number[] = [0x9903, 0x9904, 0x9905, 0x9906];

/** One parsed hex: plain (one section) or universal (one section per board id). */
export interface ParsedHex {
  /** True when block records (0x0A) were seen. */
  readonly universal: boolean;
  /** Sections in file order; a plain hex has one with `boardId` undefined. */
  readonly sections: readonly { boardId?: number; image: FlashImage }[];
  /** Start address from record 03/05, if any. */
  readonly entry?: number;
}

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[65 + i] = HEX[97 + i] = 10 + i;

/** Parses Intel HEX text; errors carry the 1-based line number. */
export function parseIntelHex(text: string, source: string): ParsedHex {
  const sections: { boardId?: number; builder: SegmentBuilder }[] = [];
  let current: SegmentBuilder | undefined;
  let universal = false;
  let upper = 0; // from record 02 (segment << 4) or 04 (linear << 16)
  let entry: number | undefined;
  let eof = false;
  let lineNo = 0;
  let pos = 0;
  const fail = (msg: string) => {
    throw new ImageFormatError(source, msg, { line: lineNo });
  };
  const plainSection = () => {
    if (!current) {
      current = new SegmentBuilder(source);
      sections.push({ builder: current });
    }
    return current;
  };
  while (pos < text.length) {
    let nl = text.indexOf("\n", pos);
    if (nl < 0) nl = text.length;
    let line = text.slice(pos, nl);
    pos = nl + 1;
    lineNo++;
    if (line.endsWith("\r")) line = line.slice(0, -1);
    line = line.trim();
    if (line === "") continue;
    if (eof) fail("data after the end-of-file record");
    if (line[0] !== ":") fail(`record does not start with ':'`);
    if ((line.length - 1) % 2 !== 0) fail("record has an odd number of hex digits");
    const n = (line.length - 1) / 2;
    if (n < 5) fail("record is too short");
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const hi = HEX[line.charCodeAt(1 + 2 * i)] ?? -1;
      const lo = HEX[line.charCodeAt(2 + 2 * i)] ?? -1;
      if (hi < 0 || lo < 0) fail(`bad hex digit '${hi < 0 ? line[1 + 2 * i] : line[2 + 2 * i]}'`);
      bytes[i] = (hi << 4) | lo;
    }
    const len = bytes[0];
    if (len + 5 !== n) fail(`length byte says ${len} data bytes but the record has ${n - 5}`);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += bytes[i];
    if ((sum & 0xff) !== 0) {
      const want = (0x100 - ((sum - bytes[n - 1]) & 0xff)) & 0xff;
      fail(
        `bad checksum 0x${bytes[n - 1].toString(16).padStart(2, "0")} (expected 0x${
          want.toString(16).padStart(2, "0")
        })`,
      );
    }
    const offset = (bytes[1] << 8) | bytes[2];
    const type = bytes[3];
    const data = bytes.subarray(4, 4 + len);
    switch (type) {
      case 0x00:
      case 0x0d:
        if (universal && !current) {
          fail("data record outside a block: a Universal Hex cannot mix plain and block sections");
        }
        if (upper + offset + data.length > 0x1_0000_0000) {
          fail("data record runs past the 32-bit address space");
        }
        plainSection().add(upper + offset, data);
        break;
      case 0x01:
        eof = true;
        break;
      case 0x02:
        if (len !== 2) fail("extended segment address record needs 2 data bytes");
        upper = ((data[0] << 8) | data[1]) << 4;
        break;
      case 0x03:
        if (len !== 4) fail("start segment address record needs 4 data bytes");
        entry = (((data[0] << 8) | data[1]) << 4) + ((data[2] << 8) | data[3]);
        break;
      case 0x04:
        if (len !== 2) fail("extended linear address record needs 2 data bytes");
        upper = ((data[0] << 8) | data[1]) * 0x10000;
        break;
      case 0x05:
        if (len !== 4) fail("start linear address record needs 4 data bytes");
        entry = ((data[0] << 24) | (data[1] << 16) | (data[2] << 8) | data[3]) >>> 0;
        break;
      case 0x0a: {
        if (len < 2) fail("block start record needs a 2-byte board id");
        if (sections.some((s) => s.boardId === undefined)) {
          fail("block record after plain data records: a hex is either plain or Universal");
        }
        universal = true;
        const boardId = (data[0] << 8) | data[1];
        const existing = sections.find((s) => s.boardId === boardId);
        current = existing?.builder ?? new SegmentBuilder(`${source}[${boardId.toString(16)}]`);
        if (!existing) sections.push({ boardId, builder: current });
        break;
      }
      case 0x0b:
        current = undefined;
        break;
      case 0x0c:
      case 0x0e:
        break; // padding and other data are not flashed
      default:
        fail(`unknown record type 0x${type.toString(16).padStart(2, "0")}`);
    }
  }
  if (!eof) {
    lineNo++;
    fail("missing end-of-file record (:00000001FF)");
  }
  return {
    universal,
    entry,
    sections: sections.map((s) => ({
      boardId: s.boardId,
      image: FlashImage.from(s.builder.segments()),
    })),
  };
}

/** Parses a board option: `v1`, `v2`, or a number like `0x9903`. */
export function boardIdsOf(board: unknown): readonly number[] | undefined {
  if (board === undefined || board === null || board === "") return undefined;
  if (Array.isArray(board)) return board.map(Number);
  const s = String(board).toLowerCase();
  if (s === "v1") return MICROBIT_V1_BOARD_IDS;
  if (s === "v2") return MICROBIT_V2_BOARD_IDS;
  const n = Number(s);
  if (!Number.isInteger(n)) {
    throw new UsageError(`unknown board '${board}'`, {
      hint: "use v1, v2 or a board id such as 0x9903",
    });
  }
  return [n];
}

/** Picks one section of a parsed hex using `boardIds` (or `board`) from the options. */
export function selectSection(
  hex: ParsedHex,
  options: Readonly<Record<string, unknown>>,
  source: string,
): FlashImage {
  if (!hex.universal) return hex.sections[0]?.image ?? FlashImage.empty();
  const wanted = boardIdsOf(options.board) ?? boardIdsOf(options.boardIds);
  const ids = hex.sections.map((s) => `0x${s.boardId!.toString(16)}`).join(", ");
  if (!wanted) {
    throw new UsageError(`${source} is a Universal Hex with sections ${ids}`, {
      hint: "choose one with --board v1, --board v2 or a target that implies it",
    });
  }
  const hit = hex.sections.find((s) => wanted.includes(s.boardId!));
  if (!hit) {
    throw new ImageFormatError(
      source,
      `no section for board id ${wanted.map((w) => `0x${w.toString(16)}`).join("/")} (has ${ids})`,
      // The wrong board for the image, found before any device is opened: a usage error.
      { hint: "this hex was not built for this board", exitCode: EXIT_USAGE },
    );
  }
  return hit.image;
}

/** Intel HEX and Universal Hex. */
export const ihex: ImageFormat = {
  name: "ihex",
  description: "Intel HEX, including micro:bit Universal Hex (pick a section by board id)",
  extensions: [".hex", ".ihex", ".ihx"],
  detect: (head) =>
    head[0] === 0x3a && /^:[0-9A-Fa-f]{8}/.test(new TextDecoder().decode(head.subarray(0, 9))),
  load(bytes, { source, options }) {
    const text = new TextDecoder("latin1").decode(bytes);
    return selectSection(parseIntelHex(text, source), options, source);
  },
};
