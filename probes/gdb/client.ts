/**
 * GDB remote serial protocol client over any byte stream: acks and retransmission, no-ack
 * mode when offered, run-length decoding, console output, interrupts and stop replies.
 *
 * @module
 */
import {
  AbortedError,
  type ByteStream,
  DeltaflashError,
  DeviceError,
  errorMessage,
  type LinkStats,
  type RunContext,
  TimeoutError,
} from "../../kernel/mod.ts";
import {
  decodeRle,
  DEFAULT_PACKET_LIMIT,
  framePacket,
  fromLatin1,
  INTERRUPT,
  protocolError,
  RspParser,
  unhex,
} from "./codec.ts";
import { isStopReply, parseStopReply, type StopReply } from "./stop_reply.ts";

/** Options of {@link RspClient}. */
export interface RspClientOptions {
  /** Reply timeout in ms (default 2000). */
  timeoutMs?: number;
  /** Sends of one packet before giving up on acks (default 4). */
  attempts?: number;
  /** Name of the link, for messages. */
  description?: string;
}

/** One exchange's options. */
export interface RequestOptions {
  /** Overrides the client's reply timeout. */
  timeoutMs?: number;
}

/** A client for one gdbserver connection. */
export class RspClient {
  /** Link name for messages. */
  readonly description: string;
  /** Features from qSupported (name → value, `+`/`-` for booleans). */
  readonly features = new Map<string, string>();
  /** True until the server agrees to QStartNoAckMode. */
  ackMode = true;
  /** Console output (`O` packets) received so far, decoded. */
  console = "";
  readonly #stream: ByteStream;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #parser = new RspParser();
  readonly #acks: ("ack" | "nack")[] = [];
  readonly #packets: string[] = [];
  readonly #stops: string[] = [];
  readonly #stats: LinkStats = { bytesOut: 0, bytesIn: 0, roundTrips: 0 };
  readonly #timeoutMs: number;
  readonly #attempts: number;
  #wake: (() => void) | undefined;
  #closed: Error | undefined;
  #badPackets = 0;
  #retransmits = 0;

  constructor(stream: ByteStream, options: RspClientOptions = {}) {
    this.#stream = stream;
    this.#writer = stream.writable.getWriter();
    this.#timeoutMs = options.timeoutMs ?? 2000;
    this.#attempts = options.attempts ?? 4;
    this.description = options.description ?? "gdbserver";
    this.#pump();
  }

  /** Packets resent after a nack or a missing ack, and corrupt packets received. */
  get errorCounts(): { retransmits: number; badPackets: number } {
    return { retransmits: this.#retransmits, badPackets: this.#badPackets };
  }

  /**
   * Largest packet the server accepts (qSupported PacketSize; 400 when not given), capped at
   * {@link MAX_PACKET_SIZE}: requests are built to fit it and replies are held to it.
   */
  get packetSize(): number {
    const v = this.features.get("PacketSize");
    return v ? Math.min(parseInt(v, 16), MAX_PACKET_SIZE) : 400;
  }

  /** True when the server declared `name+` in qSupported. */
  supports(name: string): boolean {
    return this.features.get(name) === "+";
  }

  /** Link counters. */
  stats(): LinkStats {
    return { ...this.#stats };
  }

  /** qSupported exchange, then no-ack mode when the server offers it. */
  async handshake(ctx: RunContext): Promise<void> {
    await this.#write(Uint8Array.of(0x2b));
    const reply = await this.request(
      ctx,
      "qSupported:multiprocess-;swbreak+;hwbreak+;vContSupported+;xmlRegisters=arm",
    );
    for (const item of reply.split(";")) {
      if (!item) continue;
      const eq = item.indexOf("=");
      if (eq >= 0) this.features.set(item.slice(0, eq), item.slice(eq + 1));
      else if (/[+\-?]$/.test(item)) this.features.set(item.slice(0, -1), item.slice(-1));
    }
    const size = this.features.get("PacketSize");
    if (size !== undefined && !/^[0-9a-f]{1,8}$/i.test(size)) {
      throw protocolError(`qSupported PacketSize '${size.slice(0, 16)}' is not a hex number`);
    }
    // A reply is at most one packet; hex doubles what fits in it.
    this.#parser.limit = Math.max(DEFAULT_PACKET_LIMIT, 2 * this.packetSize);
    if (this.supports("QStartNoAckMode")) {
      if ((await this.request(ctx, "QStartNoAckMode")) === "OK") this.ackMode = false;
    }
  }

  /** Sends a command and returns its reply (console `O` packets are collected, not returned). */
  async request(ctx: RunContext, payload: string, options: RequestOptions = {}): Promise<string> {
    await this.send(ctx, payload, options);
    this.#stats.roundTrips++;
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    for (;;) {
      const reply = await this.#reply(ctx, timeoutMs, payload);
      // A stop reply the command cannot have caused (QEMU sends one when a client connects
      // to a running target) is kept for pollStop instead of being taken as the answer.
      if (!STOP_COMMAND.test(payload) && isStopReply(reply)) this.#stops.push(reply);
      else return reply;
    }
  }

  /** Like {@link request} but an `Exx` reply throws a DeviceError. */
  async command(ctx: RunContext, payload: string, options: RequestOptions = {}): Promise<string> {
    const reply = await this.request(ctx, payload, options);
    if (/^E[0-9a-fA-F]{2}$/.test(reply) || reply.startsWith("E.")) {
      throw new DeviceError(`${this.description}: '${brief(payload)}' failed with ${reply}`, {
        hint: "check that the address is mapped and the core is halted",
      });
    }
    return reply;
  }

  /** Sends a packet and waits for its ack (retransmitting on nack or silence). */
  async send(ctx: RunContext, payload: string, options: RequestOptions = {}): Promise<void> {
    const frame = framePacket(payload);
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    for (let attempt = 0; attempt < this.#attempts; attempt++) {
      if (attempt) this.#retransmits++;
      this.#acks.length = 0;
      await this.#write(frame);
      if (!this.ackMode) return;
      const got = await this.#wait(ctx, timeoutMs, () => this.#acks.shift(), true);
      if (got === "ack") return;
    }
    throw new DeviceError(
      `${this.description}: '${brief(payload)}' not acknowledged after ${this.#attempts} sends`,
      { hint: "check the link; the server keeps rejecting or ignoring the packet" },
    );
  }

  /** Sends the interrupt byte (Ctrl-C); the server answers with a stop reply. */
  interrupt(): Promise<void> {
    return this.#write(Uint8Array.of(INTERRUPT));
  }

  /** Waits for the next stop reply. */
  async waitStop(ctx: RunContext, timeoutMs: number): Promise<StopReply> {
    for (;;) {
      const reply = await this.#reply(ctx, timeoutMs, "stop reply");
      const stop = parseStopReply(reply);
      if (stop) return stop;
      ctx.log.debug(`${this.description}: ignoring '${brief(reply)}' while running`);
    }
  }

  /** A stop reply that already arrived, without waiting. */
  pollStop(): StopReply | undefined {
    if (this.#stops.length) return parseStopReply(this.#stops.shift()!);
    const i = this.#packets.findIndex(isStopReply);
    if (i < 0) return undefined;
    return parseStopReply(this.#packets.splice(i, 1)[0]);
  }

  /** Forgets stop replies that arrived unasked (call once the halt state is known). */
  discardStops(): void {
    this.#stops.length = 0;
    for (
      let i = this.#packets.findIndex(isStopReply);
      i >= 0;
      i = this.#packets.findIndex(isStopReply)
    ) {
      this.#packets.splice(i, 1);
    }
  }

  /** Drops the connection (does not detach). */
  async close(): Promise<void> {
    this.#closed ??= new Error("closed");
    try {
      this.#writer.releaseLock();
    } catch { /* already released */ }
    await this.#stream.close().catch(() => {});
  }

  async #reply(ctx: RunContext, timeoutMs: number, what: string): Promise<string> {
    for (;;) {
      const reply = (await this.#wait(ctx, timeoutMs, () => this.#packets.shift(), false, what))!;
      if (reply !== "OK" && /^O([0-9a-fA-F]{2})+$/.test(reply)) {
        this.console += fromLatin1(unhex(reply.slice(1)));
        continue;
      }
      return reply;
    }
  }

  async #wait<T>(
    ctx: RunContext,
    timeoutMs: number,
    take: () => T | undefined,
    quietTimeout: boolean,
    what = "ack",
  ): Promise<T | undefined> {
    const stop = new AbortController();
    let timedOut = false;
    ctx.clock.sleep(timeoutMs, stop.signal).then(() => {
      timedOut = true;
      this.#wake?.();
    }, () => {});
    const onAbort = () => this.#wake?.();
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    try {
      for (;;) {
        const v = take();
        if (v !== undefined) return v;
        if (ctx.signal.aborted) throw new AbortedError({ cause: ctx.signal.reason });
        if (this.#closed instanceof DeltaflashError) throw this.#closed;
        if (this.#closed) {
          throw new DeviceError(`${this.description}: connection closed (${this.#closed.message})`);
        }
        if (timedOut) {
          if (quietTimeout) return undefined;
          throw new TimeoutError(`${this.description}: no ${what} within ${timeoutMs} ms`, {
            hint: "is the gdbserver running and the target attached?",
          });
        }
        await new Promise<void>((resolve) => this.#wake = resolve);
      }
    } finally {
      stop.abort();
      ctx.signal.removeEventListener("abort", onAbort);
    }
  }

  async #write(bytes: Uint8Array): Promise<void> {
    if (this.#closed) throw new DeviceError(`${this.description}: connection closed`);
    this.#stats.bytesOut += bytes.length;
    try {
      await this.#writer.write(bytes);
    } catch (e) {
      // A socket whose peer went away throws the OS error (ConnectionReset, BrokenPipe).
      this.#closed ??= e instanceof Error ? e : new Error(String(e));
      throw new DeviceError(`${this.description}: connection lost (${errorMessage(e)})`, {
        cause: e,
        hint: "check that the gdbserver is still running, then run the same command again",
      });
    }
  }

  async #pump(): Promise<void> {
    const reader = this.#stream.readable.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        this.#stats.bytesIn += value.length;
        for (const ev of this.#parser.push(value)) {
          if (ev.kind === "ack" || ev.kind === "nack") this.#acks.push(ev.kind);
          else if (ev.kind === "packet") {
            if (!ev.valid) {
              this.#badPackets++;
              if (this.ackMode) await this.#write(Uint8Array.of(0x2d));
              continue;
            }
            if (this.ackMode) await this.#write(Uint8Array.of(0x2b));
            this.#packets.push(fromLatin1(decodeRle(ev.payload, this.#parser.limit)));
          }
        }
        this.#wake?.();
      }
      this.#closed ??= new Error("server closed the connection");
    } catch (e) {
      this.#closed ??= e instanceof Error ? e : new Error(String(e));
      // A broken stream (oversized packet, bad run-length) is not read any further.
      await reader.cancel().catch(() => {});
    } finally {
      reader.releaseLock();
      this.#wake?.();
    }
  }
}

/** Largest PacketSize used, whatever the server announces (64 KiB). */
export const MAX_PACKET_SIZE = 0x10000;

/** Commands whose answer is a stop reply. */
const STOP_COMMAND = /^(\?|[cCsS]([0-9a-fA-F]|$)|vCont;|vAttach;|vRun;)/;

function brief(payload: string): string {
  return payload.length > 24 ? `${payload.slice(0, 24)}…` : payload;
}
