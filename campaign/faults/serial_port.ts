/**
 * A serial port between the host and a simulated chip that misbehaves once, on cue: at the
 * chosen chunk (counted over both directions) it drops bytes, flips bits, holds the chunk
 * back, resets the chip or vanishes as an unplugged USB bridge does. With no fault armed it
 * only counts chunks (the calibration run).
 *
 * @module
 */
import {
  type Clock,
  DeviceError,
  type SerialPortInfo,
  type SerialPortLike,
  type SerialSignals,
} from "../../kernel/mod.ts";
import type { Rng } from "../rng.ts";

/** What the port does when its fault fires. */
export type SerialFault = "drop" | "corrupt" | "delay" | "reset" | "unplug";

/** One armed fault. */
export interface SerialFaultPlan {
  readonly fault: SerialFault;
  /** Chunk index (both directions) at which it fires. */
  readonly at: number;
  readonly rng: Rng;
  /** Presses the chip's reset (for `reset`). */
  readonly resetChip: () => void;
}

/** A fault-injecting wrapper around an open port. */
export class FaultySerialPort implements SerialPortLike {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  /** Chunks seen so far, both directions. */
  chunks = 0;
  /** True once the fault fired. */
  fired = false;
  #unplugged = false;
  #toHost!: TransformStreamDefaultController<Uint8Array>;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;

  constructor(
    readonly inner: SerialPortLike,
    readonly clock: Clock,
    readonly plan?: SerialFaultPlan,
  ) {
    this.readable = inner.readable.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        start: (c) => void (this.#toHost = c),
        transform: async (chunk, c) => {
          const out = await this.#apply(chunk);
          if (out?.length) c.enqueue(out);
        },
      }),
    );
    this.#writer = inner.writable.getWriter();
    this.writable = new WritableStream<Uint8Array>({
      write: async (chunk) => {
        if (this.#unplugged) throw this.#gone();
        const out = await this.#apply(chunk);
        if (this.#unplugged) throw this.#gone();
        if (out?.length) await this.#writer.write(out);
      },
    });
  }

  get baudRate(): number {
    return this.inner.baudRate;
  }

  setSignals(signals: SerialSignals): Promise<void> {
    if (this.#unplugged) return Promise.reject(this.#gone());
    return this.inner.setSignals(signals);
  }

  setBaudRate(baudRate: number): Promise<void> {
    if (this.#unplugged) return Promise.reject(this.#gone());
    return this.inner.setBaudRate(baudRate);
  }

  getInfo(): SerialPortInfo {
    return this.inner.getInfo();
  }

  async close(): Promise<void> {
    try {
      this.#writer.releaseLock();
    } catch { /* still writing */ }
    await this.inner.close();
  }

  /** The bridge disappears: reads fail, writes fail, the chip loses its link. */
  unplug(): void {
    if (this.#unplugged) return;
    this.#unplugged = true;
    try {
      this.#toHost.error(this.#gone());
    } catch { /* already closed */ }
    void this.inner.close();
  }

  #gone(): DeviceError {
    return new DeviceError("the serial port vanished (device unplugged)", {
      hint: "reconnect the board and run the same command again",
    });
  }

  async #apply(chunk: Uint8Array): Promise<Uint8Array | undefined> {
    const plan = this.plan;
    const index = this.chunks++;
    if (!plan || this.fired || index !== plan.at) return chunk;
    this.fired = true;
    const { rng } = plan;
    switch (plan.fault) {
      case "drop": {
        const from = rng.int(chunk.length);
        const n = 1 + rng.int(chunk.length - from);
        const out = new Uint8Array(chunk.length - n);
        out.set(chunk.subarray(0, from));
        out.set(chunk.subarray(from + n), from);
        return out;
      }
      case "corrupt": {
        const out = chunk.slice();
        for (let k = rng.range(1, 3); k > 0; k--) out[rng.int(out.length)] ^= 1 << rng.int(8);
        return out;
      }
      case "delay":
        await this.clock.sleep(rng.range(100, 8000));
        return chunk;
      case "reset":
        plan.resetChip();
        return chunk;
      case "unplug":
        this.unplug();
        return undefined;
    }
  }
}
