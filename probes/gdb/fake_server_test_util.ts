/**
 * An in-process fake gdbserver for unit tests: speaks RSP over a pair of in-memory streams,
 * with switches for no-ack mode, run-length encoded replies, nacks and corrupted replies.
 *
 * @module
 */
import type { ByteStream } from "../../kernel/mod.ts";
import {
  checksum,
  fromLatin1,
  hex,
  hexLe32,
  latin1,
  parseLe32,
  RspParser,
  unescapeBinary,
  unhex,
} from "./codec.ts";

/** Behaviour switches. */
export interface FakeServerOptions {
  /** Offer QStartNoAckMode. */
  noAck?: boolean;
  /** Run-length encode replies. */
  rle?: boolean;
  /** Nack this many received packets before accepting (each is then resent). */
  nacks?: number;
  /** Send this many replies with a bad checksum first. */
  corruptReplies?: number;
  /** PacketSize to announce (hex in qSupported); 0x400 by default. */
  packetSize?: number;
  /** target.xml to serve; none (classic layout) when undefined. */
  targetXml?: string;
  /** Answer `p`/`P` (default true). */
  registerPackets?: boolean;
  /** Answer `X` (default true). */
  binaryWrites?: boolean;
  /** Send a stop reply as soon as the client connects, unasked (as QEMU does). */
  stopOnConnect?: boolean;
  /** Never answer anything (silent server). */
  silent?: boolean;
  /** Answers a packet before the fake does: a reply payload, raw bytes sent as they are, or
   * undefined for the normal answer. */
  override?: (payload: string, server: FakeGdbServer) => string | Uint8Array | undefined;
  /** On continue: stop at a breakpoint after setting r0 (default r0 + r1), or keep running. */
  onContinue?: (server: FakeGdbServer) => "stop" | "run";
}

/** The fake server's state and wire log. */
export class FakeGdbServer {
  /** The client's side of the link. */
  readonly stream: ByteStream;
  /** Payloads received, in order (retransmissions included). */
  readonly received: string[] = [];
  /** Every byte received. */
  readonly raw: number[] = [];
  /** Sparse memory. */
  readonly memory = new Map<number, number>();
  /** Registers by GDB number (0–25 classic, 25 = xpsr/cpsr). */
  readonly regs: number[] = new Array(26).fill(0);
  /** Inserted breakpoints as `type,addr`. */
  readonly breakpoints = new Set<string>();
  /** True after a `k` packet. */
  killed = false;
  /** Interrupt bytes received. */
  interrupts = 0;
  readonly #options: FakeServerOptions;
  readonly #parser = new RspParser(Infinity);
  readonly #toClient: WritableStreamDefaultWriter<Uint8Array>;
  #ack = true;
  #nacks: number;
  #corrupt: number;
  #running = false;
  #lastReply = "";

  constructor(options: FakeServerOptions = {}) {
    this.#options = options;
    this.#nacks = options.nacks ?? 0;
    this.#corrupt = options.corruptReplies ?? 0;
    const down = new TransformStream<Uint8Array, Uint8Array>();
    const up = new WritableStream<Uint8Array>({ write: (chunk) => this.#receive(chunk) });
    this.#toClient = down.writable.getWriter();
    this.stream = {
      readable: down.readable,
      writable: up,
      close: () => this.#toClient.close().catch(() => {}),
    };
    if (options.stopOnConnect) this.#reply("T05thread:01;");
    // The SCS's CIDR (no ROM table, as on QEMU): the connect check finds a Cortex-M core.
    this.load(
      0xe000eff0,
      Uint8Array.of(0x0d, 0, 0, 0, 0xe0, 0, 0, 0, 0x05, 0, 0, 0, 0xb1, 0, 0, 0),
    );
  }

  /** Stores bytes in the fake memory. */
  load(address: number, data: Uint8Array): void {
    data.forEach((b, i) => this.memory.set(address + i, b));
  }

  /** Reads bytes from the fake memory (0 where unset). */
  read(address: number, length: number): Uint8Array {
    return Uint8Array.from({ length }, (_, i) => this.memory.get(address + i) ?? 0);
  }

  #receive(chunk: Uint8Array): void {
    this.raw.push(...chunk);
    for (const ev of this.#parser.push(chunk)) {
      if (ev.kind === "interrupt") {
        this.interrupts++;
        if (this.#running) {
          this.#running = false;
          this.#reply("T02thread:01;");
        }
      }
      if (ev.kind === "nack" && this.#lastReply) this.#send(latin1(this.#lastReply));
      if (ev.kind !== "packet") continue;
      const payload = fromLatin1(ev.payload);
      this.received.push(payload);
      if (this.#options.silent) continue;
      if (this.#ack) {
        if (this.#nacks > 0 || !ev.valid) {
          this.#nacks--;
          this.#send(Uint8Array.of(0x2d));
          continue;
        }
        this.#send(Uint8Array.of(0x2b));
      }
      const special = this.#options.override?.(payload, this);
      if (special instanceof Uint8Array) {
        this.#send(special);
        continue;
      }
      const reply = special ?? this.#handle(payload, ev.payload);
      if (reply !== undefined) this.#reply(reply);
      if (payload === "QStartNoAckMode" && this.#options.noAck) this.#ack = false;
    }
  }

  #handle(p: string, bytes: Uint8Array): string | undefined {
    const o = this.#options;
    if (p.startsWith("qSupported")) {
      return [
        `PacketSize=${(o.packetSize ?? 0x400).toString(16)}`,
        o.targetXml ? "qXfer:features:read+" : "qXfer:features:read-",
        ...(o.noAck ? ["QStartNoAckMode+"] : []),
      ].join(";");
    }
    if (p === "QStartNoAckMode") return o.noAck ? "OK" : "";
    if (p.startsWith("qXfer:features:read:target.xml:") && o.targetXml) {
      const [off, len] = p.split(":")[4].split(",").map((x) => parseInt(x, 16));
      const part = o.targetXml.slice(off, off + len);
      return (off + len >= o.targetXml.length ? "l" : "m") + part;
    }
    if (p.startsWith("qXfer")) return "E01";
    if (p === "vCont?") return "vCont;c;C;s;S";
    if (p === "?") return "S05";
    if (p === "g") {
      return this.regs.map((v, i) => i >= 16 && i < 24 ? "0".repeat(24) : hexLe32(v)).join("");
    }
    if (p.startsWith("G")) {
      const h = p.slice(1);
      for (let i = 0, off = 0; i < 26; i++) {
        const w = i >= 16 && i < 24 ? 24 : 8;
        if (w === 8) this.regs[i] = parseLe32(h.slice(off, off + 8));
        off += w;
      }
      return "OK";
    }
    if (p[0] === "p") {
      return o.registerPackets === false ? "" : hexLe32(this.regs[parseInt(p.slice(1), 16)]);
    }
    if (p[0] === "P") {
      if (o.registerPackets === false) return "";
      const [n, v] = p.slice(1).split("=");
      this.regs[parseInt(n, 16)] = parseLe32(v);
      return "OK";
    }
    if (p[0] === "m") {
      const [a, n] = p.slice(1).split(",").map((x) => parseInt(x, 16));
      return hex(this.read(a, n));
    }
    if (p[0] === "M") {
      const [head, data] = p.slice(1).split(":");
      this.load(parseInt(head.split(",")[0], 16), unhex(data));
      return "OK";
    }
    if (p[0] === "X") {
      if (o.binaryWrites === false) return "";
      const colon = bytes.indexOf(0x3a);
      const [a, n] = p.slice(1, colon).split(",").map((x) => parseInt(x, 16));
      const data = unescapeBinary(bytes.subarray(colon + 1));
      if (data.length !== n) return "E02";
      this.load(a, data);
      return "OK";
    }
    if (p[0] === "Z" || p[0] === "z") {
      const [t, a] = p.slice(1).split(",");
      if (p[0] === "Z") this.breakpoints.add(`${t},${a}`);
      else this.breakpoints.delete(`${t},${a}`);
      return "OK";
    }
    if (p === "c" || p === "vCont;c") {
      const what = o.onContinue?.(this) ??
        (this.regs[0] = (this.regs[0] + this.regs[1]) >>> 0, "stop");
      if (what === "run") {
        this.#running = true;
        return undefined;
      }
      const bp = [...this.breakpoints][0];
      if (bp) this.regs[15] = parseInt(bp.split(",")[1], 16);
      return "T05swbreak:;thread:01;";
    }
    if (p.startsWith("qRcmd,")) {
      this.#reply(`O${hex(latin1(`ran ${fromLatin1(unhex(p.slice(6)))}\n`))}`);
      return "OK";
    }
    if (p === "D") return "OK";
    if (p === "vAttach;1") return "T05thread:01;";
    if (p === "k") {
      this.killed = true;
      return undefined;
    }
    return "";
  }

  #reply(payload: string): void {
    let body = this.#options.rle ? rleEncode(payload) : payload;
    const cs = checksum(latin1(body)).toString(16).padStart(2, "0");
    this.#lastReply = `$${body}#${cs}`;
    if (this.#ack && this.#corrupt > 0) {
      this.#corrupt--;
      body = `$${body}#${cs === "00" ? "01" : "00"}`;
    } else body = this.#lastReply;
    this.#send(latin1(body));
  }

  #send(bytes: Uint8Array): void {
    this.#toClient.write(bytes).catch(() => {});
  }
}

/** Run-length encodes runs of 4+ equal characters (counts giving `#` or `$` are avoided). */
export function rleEncode(s: string): string {
  let out = "";
  for (let i = 0; i < s.length;) {
    let n = 1;
    while (i + n < s.length && s[i + n] === s[i] && n < 98) n++;
    let extra = n - 1;
    if (extra === 6 || extra === 7) extra = 5; // 29+6 = '#', 29+7 = '$'
    if (extra >= 3) {
      out += s[i] + "*" + String.fromCharCode(29 + extra);
      i += extra + 1;
    } else {
      out += s[i];
      i++;
    }
  }
  return out;
}
