/**
 * Collects bytes written at increasing (mostly contiguous) addresses into few segments.
 *
 * @module
 */
import type { Segment } from "../../kernel/mod.ts";

/** Appends bytes; contiguous writes grow one buffer instead of making many segments. */
export class SegmentBuilder {
  readonly #segments: Segment[] = [];
  #buf = new Uint8Array(4096);
  #len = 0;
  #start = -1;

  constructor(readonly source: string) {}

  /** Adds `data` at `address`. */
  add(address: number, data: Uint8Array): void {
    if (data.length === 0) return;
    if (this.#start < 0 || address !== this.#start + this.#len) {
      this.#flush();
      this.#start = address;
    }
    if (this.#len + data.length > this.#buf.length) {
      const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + data.length));
      next.set(this.#buf.subarray(0, this.#len));
      this.#buf = next;
    }
    this.#buf.set(data, this.#len);
    this.#len += data.length;
  }

  /** The segments so far (the builder can go on being used). */
  segments(): Segment[] {
    this.#flush();
    return [...this.#segments];
  }

  #flush(): void {
    if (this.#len > 0) {
      this.#segments.push({
        address: this.#start,
        data: this.#buf.slice(0, this.#len),
        source: this.source,
      });
    }
    this.#len = 0;
    this.#start = -1;
  }
}
