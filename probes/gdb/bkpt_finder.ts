/**
 * Finds `bkpt` instructions (Thumb halfwords 0xBExx) after a function's entry, so the GDB
 * link can put breakpoints on them: a gdbserver without halting debug (QEMU) would
 * otherwise take an executed `bkpt` as a HardFault. A data halfword that looks like a
 * `bkpt` only costs an unused breakpoint.
 *
 * @module
 */
import type { RunContext } from "../../kernel/mod.ts";

/** Reads target memory; rejects where the range is not readable. */
export type MemoryReader = (
  ctx: RunContext,
  address: number,
  length: number,
) => Promise<Uint8Array>;

/** Most breakpoints placed per function. */
const MAX_BKPTS = 16;

/** Scans code windows for `bkpt` instructions; results are cached until the window is written. */
export class BkptFinder {
  readonly #cache = new Map<number, { end: number; addresses: number[] }>();

  constructor(readonly read: MemoryReader, readonly windowBytes: number) {}

  /** Addresses of `bkpt` halfwords in the window at `entry` (halved until readable). */
  async near(ctx: RunContext, entry: number): Promise<number[]> {
    const cached = this.#cache.get(entry);
    if (cached) return cached.addresses;
    let size = this.windowBytes;
    let code: Uint8Array | undefined;
    while (!code && size >= 16) {
      code = await this.read(ctx, entry, size).catch(() => undefined);
      if (!code) size >>= 1;
    }
    const addresses: number[] = [];
    for (let i = 0; code && i + 1 < code.length && addresses.length < MAX_BKPTS; i += 2) {
      if (code[i + 1] === 0xbe) addresses.push(entry + i);
    }
    this.#cache.set(entry, { end: entry + size, addresses });
    return addresses;
  }

  /** Forgets windows that overlap a write. */
  invalidate(address: number, length: number): void {
    for (const [entry, { end }] of this.#cache) {
      if (address < end && address + length > entry) this.#cache.delete(entry);
    }
  }
}
