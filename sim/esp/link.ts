/**
 * The serial line between host and chip: each direction clocks bytes out at its UART rate
 * (10 bits a byte) and adds the USB bridge's latency, in the run's clock. Bytes sent at one
 * rate and sampled at another arrive as noise.
 *
 * @module
 */
import type { Clock } from "../../kernel/mod.ts";
import { ESP_TIMING, lineMs } from "./timing.ts";

interface Pending {
  at: number;
  bytes: Uint8Array;
  baud: number;
}

/** One direction of a UART link; delivers chunks in order after their modelled time. */
export class TimedPipe {
  #freeAt = 0;
  #queue: Pending[] = [];
  #pumping = false;
  #closed = false;

  constructor(
    readonly clock: Clock,
    readonly deliver: (bytes: Uint8Array, baud: number) => void,
    readonly latencyMs: number = ESP_TIMING.bridgeLatencyMs,
  ) {}

  /** Queues `bytes` sent at `baud`. */
  send(bytes: Uint8Array, baud: number): void {
    if (this.#closed || bytes.length === 0) return;
    const start = Math.max(this.clock.now(), this.#freeAt);
    this.#freeAt = start + lineMs(bytes.length, baud);
    this.#queue.push({ at: this.#freeAt + this.latencyMs, bytes: bytes.slice(), baud });
    void this.#pump();
  }

  /** Drops everything still in flight. */
  close(): void {
    this.#closed = true;
    this.#queue = [];
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#queue.length && !this.#closed) {
        const next = this.#queue[0];
        const wait = next.at - this.clock.now();
        if (wait > 0) await this.clock.sleep(wait);
        if (this.#closed) break;
        this.#queue.shift();
        this.deliver(next.bytes, next.baud);
      }
    } finally {
      this.#pumping = false;
    }
  }
}
