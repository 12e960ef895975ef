/**
 * The image model: sparse segments of bytes at addresses, and block views over them.
 *
 * @module
 */
import { ImageOverlapError } from "./errors.ts";

/** A run of bytes at an address, with the name of where it came from. */
export interface Segment {
  /** First address. */
  readonly address: number;
  /** The bytes. */
  readonly data: Uint8Array;
  /** File (and section) it came from, used in messages. */
  readonly source: string;
}

/** A half-open address range `[start, end)`. */
export interface AddressRange {
  /** First address. */
  readonly start: number;
  /** One past the last address. */
  readonly end: number;
}

/** A block (erase unit or page) touched by an image. */
export interface BlockRef {
  /** Block start address (aligned to size). */
  readonly address: number;
  /** Block size in bytes. */
  readonly size: number;
  /** How many bytes of the block the image covers. */
  readonly covered: number;
}

/** What to do with bytes of a block the image does not cover. */
export type PartialBlockPolicy = "keep" | "fill";

/** Work done by {@link FlashImage.from} on overlapping segments. */
export interface MergeStats {
  /** Bytes copied into merged buffers. */
  copied: number;
  /** Overlapping bytes compared. */
  compared: number;
}

/** An immutable sparse image: sorted, non-overlapping segments. */
export class FlashImage {
  /** Sorted, non-overlapping segments. */
  readonly segments: readonly Segment[];

  private constructor(segments: Segment[]) {
    this.segments = segments;
  }

  /** An image with no bytes. */
  static empty(): FlashImage {
    return new FlashImage([]);
  }

  /**
   * Builds an image from segments in any order. Overlaps that agree byte for byte are merged;
   * overlaps that conflict throw {@link ImageOverlapError} naming both sources. Each run of
   * overlapping segments is merged into one buffer sized once, so the work is a sort plus one
   * pass over the bytes (`stats`, when given, counts the bytes copied and compared).
   */
  static from(segments: Iterable<Segment>, stats?: MergeStats): FlashImage {
    const sorted = [...segments].filter((s) => s.data.length > 0).sort((a, b) =>
      a.address - b.address
    );
    const out: Segment[] = [];
    for (let i = 0; i < sorted.length;) {
      const first = sorted[i];
      // The run: every following segment that starts before the run's end so far.
      let end = first.address + first.data.length, j = i + 1;
      for (; j < sorted.length && sorted[j].address < end; j++) {
        end = Math.max(end, sorted[j].address + sorted[j].data.length);
      }
      if (j === i + 1) {
        out.push(first);
        i = j;
        continue;
      }
      const data = new Uint8Array(end - first.address);
      data.set(first.data);
      let filled = first.address + first.data.length;
      let copied = first.data.length, compared = 0;
      for (let k = i + 1; k < j; k++) {
        const seg = sorted[k];
        const segEnd = seg.address + seg.data.length;
        // The shared bytes must agree.
        const overlapEnd = Math.min(filled, segEnd);
        for (let a = seg.address; a < overlapEnd; a++) {
          if (data[a - first.address] !== seg.data[a - seg.address]) {
            throw new ImageOverlapError(first.source, seg.source, a);
          }
        }
        compared += overlapEnd - seg.address;
        if (segEnd > filled) {
          data.set(seg.data.subarray(filled - seg.address), filled - first.address);
          copied += segEnd - filled;
          filled = segEnd;
        }
      }
      if (stats) {
        stats.copied += copied;
        stats.compared += compared;
      }
      out.push({ address: first.address, data, source: first.source });
      i = j;
    }
    return new FlashImage(out);
  }

  /** Total number of bytes the image defines. */
  get byteCount(): number {
    return this.segments.reduce((n, s) => n + s.data.length, 0);
  }

  /** Lowest address, or 0 for an empty image. */
  get start(): number {
    return this.segments[0]?.address ?? 0;
  }

  /** One past the highest address, or 0 for an empty image. */
  get end(): number {
    const last = this.segments[this.segments.length - 1];
    return last ? last.address + last.data.length : 0;
  }

  /** Segments merged where they touch, as address ranges. */
  ranges(): AddressRange[] {
    const out: { start: number; end: number }[] = [];
    for (const s of this.segments) {
      const last = out[out.length - 1];
      if (last && last.end === s.address) last.end = s.address + s.data.length;
      else out.push({ start: s.address, end: s.address + s.data.length });
    }
    return out;
  }

  /** The part of the image inside `[start, end)`. */
  slice(start: number, end: number): FlashImage {
    const out: Segment[] = [];
    for (const s of this.segments) {
      const a = Math.max(start, s.address);
      const b = Math.min(end, s.address + s.data.length);
      if (a < b) {
        out.push({
          address: a,
          data: s.data.subarray(a - s.address, b - s.address),
          source: s.source,
        });
      }
    }
    return new FlashImage(out);
  }

  /** The same bytes moved by `delta`. */
  shift(delta: number): FlashImage {
    return new FlashImage(this.segments.map((s) => ({ ...s, address: s.address + delta })));
  }

  /** Number of bytes of `[start, end)` the image covers. */
  coveredBytes(start: number, end: number): number {
    let n = 0;
    for (const s of this.segments) {
      const a = Math.max(start, s.address);
      const b = Math.min(end, s.address + s.data.length);
      if (a < b) n += b - a;
    }
    return n;
  }

  /**
   * Copies the image's bytes in `[address, address+length)` over `base` (or over `fill`
   * when no base is given) and returns the result.
   */
  read(address: number, length: number, base: Uint8Array | number = 0xff): Uint8Array {
    const out = typeof base === "number"
      ? new Uint8Array(length).fill(base)
      : Uint8Array.from(base.subarray(0, length));
    for (const s of this.segments) {
      const a = Math.max(address, s.address);
      const b = Math.min(address + length, s.address + s.data.length);
      if (a < b) out.set(s.data.subarray(a - s.address, b - s.address), a - address);
    }
    return out;
  }

  /**
   * The blocks of `size` bytes (aligned to `origin + k*size`) that the image touches,
   * optionally limited to `[within.start, within.end)`.
   */
  blocks(size: number, origin = 0, within?: AddressRange): BlockRef[] {
    const out: BlockRef[] = [];
    let lastBlock = -1;
    for (const s of this.segments) {
      let a = s.address, b = s.address + s.data.length;
      if (within) {
        a = Math.max(a, within.start);
        b = Math.min(b, within.end);
      }
      if (a >= b) continue;
      const first = Math.floor((a - origin) / size);
      const last = Math.floor((b - 1 - origin) / size);
      for (let k = Math.max(first, lastBlock + 1); k <= last; k++) {
        const addr = origin + k * size;
        let lo = addr, hi = addr + size;
        if (within) {
          lo = Math.max(lo, within.start);
          hi = Math.min(hi, within.end);
        }
        out.push({ address: addr, size, covered: this.coveredBytes(lo, hi) });
        lastBlock = k;
      }
    }
    return out;
  }
}
