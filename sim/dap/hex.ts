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

/** Why a record was rejected. */
export type HexError = "checksum" | "syntax";

/**
 * Incremental reader: feed text in arbitrary pieces (as a DAPLink stream receives it);
 * complete lines are decoded, data for other boards' Universal Hex sections dropped.
 */
export class HexStream {
  readonly #wanted: number[];
  #base = 0;
  #block: number | null = null;
  #pending = "";
  #line = 0;
  /** True once the end-of-file record has been seen. */
  done = false;

  constructor(boardId: string) {
    this.#wanted = family(parseInt(boardId, 16));
  }

  /** Decodes the complete lines in `text` (plus what earlier calls left over). */
  push(text: string): { segments: HexSegment[]; error?: HexError; line?: number } {
    const lines = (this.#pending + text).split(/\r?\n/);
    this.#pending = lines.pop() ?? "";
    const segments: HexSegment[] = [];
    for (const raw of lines) {
      this.#line++;
      const error = this.#record(raw.trim(), segments);
      if (error) return { segments, error, line: this.#line };
      if (this.done) break;
    }
    return { segments };
  }

  /** Decodes what is left without a final newline. */
  end(): { segments: HexSegment[]; error?: HexError; line?: number } {
    const rest = this.#pending;
    this.#pending = "";
    return rest.trim() ? this.push(rest + "\n") : { segments: [] };
  }

  #record(line: string, out: HexSegment[]): HexError | undefined {
    if (!line || this.done) return undefined;
    if (!/^:[0-9a-fA-F]+$/.test(line) || line.length % 2 === 0) return "syntax";
    const bytes = Uint8Array.from(line.slice(1).match(/../g)!, (h) => parseInt(h, 16));
    const len = bytes[0];
    if (bytes.length !== len + 5) return "syntax";
    if (bytes.reduce((a, b) => a + b, 0) & 0xff) return "checksum";
    const offset = (bytes[1] << 8) | bytes[2];
    const data = bytes.subarray(4, 4 + len);
    switch (bytes[3]) {
      case 0x00:
      case 0x0d:
        if (this.#block === null || this.#wanted.includes(this.#block)) {
          out.push({ address: (this.#base + offset) >>> 0, data: data.slice() });
        }
        break;
      case 0x01:
        this.done = true;
        break;
      case 0x02:
        this.#base = ((data[0] << 8) | data[1]) * 16;
        break;
      case 0x04:
        this.#base = (((data[0] << 8) | data[1]) << 16) >>> 0;
        break;
      case 0x0a:
        this.#block = (data[0] << 8) | data[1];
        break;
      case 0x0b:
        this.#block = null;
        break;
    }
    return undefined;
  }
}

/** Parses `text`, keeping plain data and the Universal Hex section for `boardId` (hex digits). */
export function parseHexForBoard(text: string, boardId: string): HexSegment[] {
  const stream = new HexStream(boardId);
  const a = stream.push(text);
  const b = a.error ? a : stream.end();
  const bad = a.error ? a : b;
  if (bad.error) {
    throw new UsageError(
      bad.error === "checksum"
        ? `bad Intel HEX length or checksum on line ${bad.line}`
        : `bad Intel HEX record on line ${bad.line}`,
    );
  }
  return [...a.segments, ...(a.error ? [] : b.segments)];
}
