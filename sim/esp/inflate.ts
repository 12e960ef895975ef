/**
 * Incremental zlib inflate: compressed blocks arrive one FLASH_DEFL_DATA at a time and each
 * must yield its output before the block is acknowledged, as the loaders do.
 *
 * node:zlib streams are asynchronous, so while a block inflates the simulator keeps
 * sleeping zero-length steps on the run's clock: a virtual clock then cannot jump ahead to a
 * host's timeout while the chip is still (in real time) working.
 *
 * @module
 */
import { constants, createInflate, type Inflate } from "node:zlib";
import type { Clock } from "../../kernel/mod.ts";

/** Feeds zlib data in blocks; each push resolves with the bytes that block produced. */
export class BlockInflater {
  #z: Inflate;
  #out: Uint8Array[] = [];
  #error: Error | undefined;

  constructor() {
    this.#z = createInflate();
    this.#z.on("data", (c: Uint8Array) => this.#out.push(new Uint8Array(c)));
    this.#z.on("error", (e: Error) => this.#error ??= e);
  }

  /** Inflates one block; throws the zlib error if the stream is corrupt. */
  async push(block: Uint8Array, clock: Clock): Promise<Uint8Array> {
    if (this.#error) throw this.#error;
    let settled = false;
    this.#z.write(block);
    this.#z.flush(constants.Z_SYNC_FLUSH, () => settled = true);
    while (!settled && !this.#error) await clock.sleep(0);
    // One more step lets 'data' events queued behind the flush callback run.
    await clock.sleep(0);
    if (this.#error) throw this.#error;
    const total = this.#out.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(total);
    let o = 0;
    for (const c of this.#out) {
      out.set(c, o);
      o += c.length;
    }
    this.#out = [];
    return out;
  }

  /** Releases the zlib stream. */
  close(): void {
    this.#z.removeAllListeners("data");
    this.#z.on("error", () => {});
    this.#z.destroy();
  }
}
