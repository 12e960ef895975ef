/**
 * The request/response engine over a serial port: SLIP frames in and out, responses matched
 * by opcode, timeouts on the run's clock, and pipelining bounded by the loader's RX buffer.
 *
 * @module
 */
import {
  AbortedError,
  DeviceError,
  type LinkStats,
  type RunContext,
  type SerialPortLike,
  TimeoutError,
} from "../../kernel/mod.ts";
import { EspUnsupportedError, opName } from "./errors.ts";
import { checkResponse, decodeResponse, encodeRequest, type Response } from "./protocol.ts";
import { SlipDecoderStream, slipEncode, slipLength } from "./slip.ts";

/** One request of a pipelined batch. */
export interface Request {
  /** Opcode. */
  readonly op: number;
  /** Whole packet from {@link encodeRequest} / {@link encodeDataBlock}. */
  readonly packet: Uint8Array;
  /** Response timeout in ms, counted from when the previous response arrived. */
  readonly timeoutMs: number;
}

/** Builds a request whose packet has no checksum. */
export function request(op: number, data: Uint8Array, timeoutMs = DEFAULT_TIMEOUT): Request {
  return { op, packet: encodeRequest(op, data), timeoutMs };
}

/** esptool's DEFAULT_TIMEOUT (3 s). */
export const DEFAULT_TIMEOUT = 3000;

/** esptool's rule: per-MB timeouts, never below the default. */
export function timeoutPerMb(msPerMb: number, bytes: number): number {
  return Math.max(DEFAULT_TIMEOUT, Math.ceil(msPerMb * bytes / 1_000_000));
}

interface Waiter {
  resolve(frame: Uint8Array): void;
  reject(e: unknown): void;
}

/** A command channel to an ESP ROM loader (or stub) over one open port. */
export class EspLink {
  /** Status bytes per response: 4 for ESP32+ ROMs, 2 for stubs. */
  statusLen: 2 | 4 = 4;
  /**
   * Bytes the loader can hold while it executes a command. The ROM reads one frame, runs it,
   * then reads the next; meanwhile bytes wait in the UART's hardware RX FIFO, which is 128
   * bytes per UART on ESP32, S2, S3, C2, C3, C6 and H2 (Technical Reference Manuals, UART
   * chapter). 112 keeps a margin for line noise; USB-Serial-JTAG is flow-controlled anyway.
   */
  rxBuffer = 112;
  readonly #port: SerialPortLike;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder: SlipDecoderStream;
  readonly #frames: Uint8Array[] = [];
  readonly #waiters: Waiter[] = [];
  #failure: unknown;
  #stats: LinkStats = { bytesOut: 0, bytesIn: 0, roundTrips: 0 };

  constructor(port: SerialPortLike) {
    this.#port = port;
    this.#decoder = new SlipDecoderStream();
    const stats = this.#stats;
    const counter = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, c) {
        stats.bytesIn += chunk.length;
        c.enqueue(chunk);
      },
    });
    // preventCancel: closing the link must leave the port readable (the monitor takes it over).
    this.#reader = port.readable.pipeThrough(counter, { preventCancel: true })
      .pipeThrough(this.#decoder).getReader();
    this.#writer = port.writable.getWriter();
    this.#pump();
  }

  /** The port this link runs on. */
  get port(): SerialPortLike {
    return this.#port;
  }

  /** Counters so far. */
  stats(): LinkStats {
    return { ...this.#stats };
  }

  async #pump(): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await this.#reader.read();
        if (done) break;
        const w = this.#waiters.shift();
        if (w) w.resolve(value);
        else this.#frames.push(value);
      }
      this.#fail(new DeviceError("the serial port closed", { hint: "check the cable" }));
    } catch (e) {
      this.#fail(
        e instanceof DeviceError
          ? e
          : new DeviceError(`serial read failed: ${e instanceof Error ? e.message : e}`, {
            hint: "check the cable and that no other program uses the port",
            cause: e,
          }),
      );
    }
  }

  #fail(e: unknown): void {
    this.#failure ??= e;
    for (const w of this.#waiters.splice(0)) w.reject(this.#failure);
  }

  /** Writes one packet as a SLIP frame. */
  async send(packet: Uint8Array): Promise<void> {
    const frame = slipEncode(packet);
    this.#stats.bytesOut += frame.length;
    await this.#writer.write(frame);
  }

  /** Drops frames already received (stale replies, banners). */
  flushInput(): void {
    this.#frames.length = 0;
    this.#decoder.decoder.takeNoise();
  }

  /** Text the device printed outside frames since the last call. */
  takeNoise(): string {
    return this.#decoder.decoder.takeNoise();
  }

  /** The next frame, or a TimeoutError after `timeoutMs` on the run's clock. */
  nextFrame(ctx: RunContext, timeoutMs: number): Promise<Uint8Array> {
    const queued = this.#frames.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#failure) return Promise.reject(this.#failure);
    if (ctx.signal.aborted) return Promise.reject(new AbortedError({ cause: ctx.signal.reason }));
    return new Promise((resolve, reject) => {
      const timer = new AbortController();
      const done = () => {
        timer.abort();
        ctx.signal.removeEventListener("abort", onAbort);
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
      };
      const waiter: Waiter = {
        resolve: (f) => {
          done();
          resolve(f);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      };
      const onAbort = () => waiter.reject(new AbortedError({ cause: ctx.signal.reason }));
      ctx.signal.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(waiter);
      (ctx.clock.timeout ?? ctx.clock.sleep).call(ctx.clock, timeoutMs, timer.signal).then(
        () => waiter.reject(new TimeoutError(`no response within ${timeoutMs} ms`)),
        () => {},
      );
    });
  }

  /** Waits for the response to `op`, skipping stale frames (esptool reads up to 100). */
  async response(ctx: RunContext, op: number, timeoutMs: number): Promise<Response> {
    const deadline = ctx.clock.now() + timeoutMs;
    for (let i = 0; i < 100; i++) {
      const left = Math.max(1, deadline - ctx.clock.now());
      let frame: Uint8Array;
      try {
        frame = await this.nextFrame(ctx, left);
      } catch (e) {
        if (e instanceof TimeoutError) {
          const noise = this.takeNoise().trim();
          throw new TimeoutError(`${opName(op)}: no response within ${timeoutMs} ms`, {
            hint: noise
              ? `the device printed: ${noise.slice(-200)}`
              : "check the port, the baud rate and that the chip is in download mode",
          });
        }
        throw e;
      }
      const r = decodeResponse(frame, this.statusLen);
      if (!r) continue;
      if (r.op === op) return checkResponse(op, r);
      // The ROM may echo another opcode when it rejects a command it does not have.
      if (r.status !== 0 && r.error === 0x05 && r.op !== 0x08) throw new EspUnsupportedError(op);
    }
    throw new DeviceError(`${opName(op)}: no matching response among 100 frames`, {
      hint: "another program may be talking to the device",
    });
  }

  /** Sends one request and waits for its checked response. */
  async command(ctx: RunContext, req: Request): Promise<Response> {
    // Text printed before this request (a boot banner long ago) says nothing about its answer.
    this.takeNoise();
    await this.send(req.packet);
    const r = await this.response(ctx, req.op, req.timeoutMs);
    this.#stats.roundTrips++;
    return r;
  }

  /**
   * Sends `req` and right behind it the short requests `behind`, which wait in the loader's RX
   * buffer while it runs `req`. Reads the answers still due to `earlier` (sent before `req`),
   * then `req`'s; the answers to `behind` are due next, before anything sent later.
   */
  async commandWith(
    ctx: RunContext,
    req: Request,
    behind: readonly Request[],
    earlier: readonly Request[] = [],
  ): Promise<{ response: Response; earlier: Response[] }> {
    await this.send(req.packet);
    for (const b of behind) await this.send(b.packet);
    const before: Response[] = [];
    for (const e of earlier) {
      before.push(await this.response(ctx, e.op, e.timeoutMs));
      this.#stats.roundTrips++;
    }
    const response = await this.response(ctx, req.op, req.timeoutMs);
    this.#stats.roundTrips++;
    return { response, earlier: before };
  }

  /** The checked responses to requests already sent, in order. */
  async answers(ctx: RunContext, reqs: readonly Request[]): Promise<Response[]> {
    const out: Response[] = [];
    for (const r of reqs) {
      out.push(await this.response(ctx, r.op, r.timeoutMs));
      this.#stats.roundTrips++;
    }
    return out;
  }

  /**
   * Sends requests back to back, keeping at most `rxBuffer` (default {@link rxBuffer}) bytes
   * queued behind the one the loader is executing, and returns the responses in order. The first failure
   * throws after the requests already sent have been answered, so the link stays in step.
   */
  async pipeline(
    ctx: RunContext,
    reqs: readonly Request[],
    rxBuffer = this.rxBuffer,
    onResponse?: (answered: number) => void,
  ): Promise<Response[]> {
    const out: Response[] = [];
    const sizes = reqs.map((r) => slipLength(r.packet));
    this.takeNoise();
    let sent = 0;
    let failure: unknown;
    for (let got = 0; got < reqs.length; got++) {
      // Request `got` is being executed; `got+1 … sent-1` wait in the RX buffer.
      let queued = 0;
      for (let i = got + 1; i < sent; i++) queued += sizes[i];
      if (sent === got) await this.send(reqs[sent++].packet);
      while (!failure && sent < reqs.length && queued + sizes[sent] <= rxBuffer) {
        queued += sizes[sent];
        await this.send(reqs[sent++].packet);
      }
      try {
        out.push(await this.response(ctx, reqs[got].op, reqs[got].timeoutMs));
        this.#stats.roundTrips++;
        onResponse?.(out.length);
      } catch (e) {
        if (!(e instanceof DeviceError) || e instanceof TimeoutError || failure) throw failure ?? e;
        failure = e;
      }
      if (failure && got + 1 >= sent) throw failure;
    }
    return out;
  }

  /** Discards replies for `quietMs` after the last one (drains repeated ROM error replies). */
  async drain(ctx: RunContext, quietMs: number): Promise<void> {
    for (let i = 0; i < 64; i++) {
      try {
        await this.nextFrame(ctx, quietMs);
      } catch (e) {
        if (e instanceof TimeoutError) return;
        throw e;
      }
    }
  }

  /** Releases the streams (the caller closes the port). */
  async close(): Promise<void> {
    this.#fail(new DeviceError("the link is closed"));
    await this.#reader.cancel().catch(() => {});
    this.#reader.releaseLock();
    await this.#writer.ready.catch(() => {});
    this.#writer.releaseLock();
  }
}
