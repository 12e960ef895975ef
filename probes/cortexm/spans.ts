/**
 * Reading several short runs of words at once: the CoreSight walk asks for a whole level of a
 * ROM table in one call, and each link answers it in as few exchanges as it can.
 *
 * @module
 */

/** Reads `count` 32-bit words at `address` (throws when the bus faults). */
export type WordReader = (address: number, count: number) => Promise<Uint32Array>;

/** A run of 32-bit words to read. */
export interface WordSpan {
  /** Word-aligned address. */
  readonly address: number;
  /** Words. */
  readonly count: number;
}

/**
 * Reads several spans in one go (one pipelined exchange where the link allows it); each
 * result is the span's words, or the error that reading that span met.
 */
export type SpanReader = (spans: readonly WordSpan[]) => Promise<(Uint32Array | Error)[]>;

/** `e` as an Error (what a reader threw). */
export function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/** A {@link SpanReader} that reads the spans one after another through `read`. */
export function readEachSpan(read: WordReader): SpanReader {
  return async (spans) => {
    const out: (Uint32Array | Error)[] = [];
    for (const s of spans) out.push(await read(s.address, s.count).catch(asError));
    return out;
  };
}

/**
 * A {@link SpanReader} for links that pay per request: spans at most `gapBytes` apart go out
 * as one read of the range covering them; when that read fails, each span is read alone, so
 * the error stays with the span that met it.
 */
export function readMergedSpans(read: WordReader, gapBytes: number): SpanReader {
  return async (spans) => {
    const out: (Uint32Array | Error)[] = new Array(spans.length);
    const order = spans.map((_, i) => i).sort((a, b) => spans[a].address - spans[b].address);
    let k = 0;
    while (k < order.length) {
      const group = [order[k]];
      const start = spans[order[k]].address;
      let end = start + 4 * spans[order[k]].count;
      for (k++; k < order.length && spans[order[k]].address <= end + gapBytes; k++) {
        group.push(order[k]);
        end = Math.max(end, spans[order[k]].address + 4 * spans[order[k]].count);
      }
      const words = group.length > 1
        ? await read(start, (end - start) / 4).catch(() => undefined)
        : undefined;
      for (const i of group) {
        const s = spans[i];
        const at = (s.address - start) / 4;
        out[i] = words
          ? words.slice(at, at + s.count)
          : await read(s.address, s.count).catch(asError);
      }
    }
    return out;
  };
}
