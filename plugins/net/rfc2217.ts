/**
 * RFC 2217 (Telnet Com Port Control) client: a remote serial port, e.g. ser2net's
 * `telnet(rfc2217)` accepter, as a `SerialPortLike` with real baud-rate and DTR/RTS control.
 * Command numbers from RFC 2217 §3; server replies are the command number plus 100.
 *
 * @module
 */
import type { SerialPortInfo, SerialPortLike, SerialSignals } from "../../kernel/mod.ts";
import { DeviceError, TimeoutError, UsageError } from "../../kernel/mod.ts";
import { connectTcp, TcpLink } from "./tcp_link.ts";
import {
  BINARY,
  COM_PORT_OPTION,
  DO,
  DONT,
  escapeIac,
  SGA,
  subnegotiation,
  TelnetDecoder,
  type TelnetEvent,
  type Verb,
  verb,
  WILL,
  WONT,
} from "./telnet.ts";

/** RFC 2217 client-to-server command numbers. */
export const CPO = {
  SET_BAUDRATE: 1,
  SET_DATASIZE: 2,
  SET_PARITY: 3,
  SET_STOPSIZE: 4,
  SET_CONTROL: 5,
  PURGE_DATA: 12,
} as const;

/** SET-CONTROL values (RFC 2217 §3: 1 no flow control, 5/6 break, 8/9 DTR, 11/12 RTS). */
export const CONTROL = {
  NO_FLOW_CONTROL: 1,
  BREAK_ON: 5,
  BREAK_OFF: 6,
  DTR_ON: 8,
  DTR_OFF: 9,
  RTS_ON: 11,
  RTS_OFF: 12,
} as const;

/** Options for {@link openRfc2217}. */
export interface Rfc2217Options {
  /** Initial line rate (default 115200). */
  baudRate?: number;
  /** How long to wait for each server reply (default 3000 ms). */
  replyTimeoutMs?: number;
}

interface Waiter {
  resolve(value: Uint8Array): void;
  reject(e: Error): void;
}

/** Connects to `rfc2217://host:port`, negotiates, and sets raw 8N1 at the given rate. */
export async function openRfc2217(
  address: string,
  options: Rfc2217Options = {},
): Promise<Rfc2217Port> {
  // A server still tearing down the previous session (ser2net allows one connection and
  // drains the tty first) drops a new one at once: retry for a short while.
  for (let attempt = 0;; attempt++) {
    const conn = await connectTcp(address, "rfc2217");
    const port = new Rfc2217Port(conn, address, options.replyTimeoutMs ?? 3000);
    try {
      await port.negotiate();
      await port.configure(options.baudRate ?? 115200);
      return port;
    } catch (e) {
      await port.close();
      const dropped = e instanceof DeviceError && e.code === "E_PORT_GONE";
      if (!dropped || attempt >= 15) throw e;
      await new Promise((r) => setTimeout(r, 50 + 50 * attempt));
    }
  }
}

/** An open RFC 2217 port. */
export class Rfc2217Port implements SerialPortLike {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  readonly #link: TcpLink;
  readonly #address: string;
  readonly #timeoutMs: number;
  readonly #decoder = new TelnetDecoder();
  readonly #waiters = new Map<number, Waiter[]>();
  readonly #sent = new Set<string>();
  #comPort?: (ok: boolean) => void;
  #baud = 115200;
  /** Rejects once the server breaks the telnet protocol, ending any wait for a reply. */
  #broken!: (e: DeviceError) => void;
  readonly #brokenP = new Promise<never>((_, reject) => this.#broken = reject);

  constructor(conn: Deno.TcpConn, address: string, timeoutMs: number) {
    this.#address = address;
    this.#timeoutMs = timeoutMs;
    this.#brokenP.catch(() => {});
    this.#link = new TcpLink(conn, address, (chunk) => {
      let decoded: ReturnType<TelnetDecoder["feed"]>;
      try {
        decoded = this.#decoder.feed(chunk);
      } catch (e) {
        if (e instanceof DeviceError) this.#broken(e);
        throw e;
      }
      const { data, events } = decoded;
      for (const e of events) this.#onEvent(e);
      return data;
    });
    this.readable = this.#link.readable;
    this.writable = new WritableStream<Uint8Array>({
      write: (chunk) => this.#link.send(escapeIac(chunk)),
    });
  }

  get baudRate(): number {
    return this.#baud;
  }

  getInfo(): SerialPortInfo {
    return { path: this.#address };
  }

  /** Offers BINARY and SGA both ways and COM-PORT-OPTION; waits for the server's DO 44. */
  async negotiate(): Promise<void> {
    const accepted = new Promise<boolean>((resolve) => this.#comPort = resolve);
    for (const [v, o] of [[WILL, BINARY], [DO, BINARY], [WILL, SGA], [DO, SGA]] as const) {
      await this.#verb(v, o);
    }
    await this.#verb(WILL, COM_PORT_OPTION);
    const ok = await this.#withTimeout(accepted, "DO COM-PORT-OPTION");
    if (!ok) {
      throw new DeviceError(`${this.#address} does not speak RFC 2217`, {
        code: "E_RFC2217",
        hint: "enable it on the server (ser2net: accepter telnet(rfc2217),tcp,PORT) " +
          "or use socket://host:port for a raw TCP bridge",
      });
    }
  }

  /** Sets the rate, 8 data bits, no parity, 1 stop bit, no flow control. */
  async configure(baudRate: number): Promise<void> {
    await this.setBaudRate(baudRate);
    await this.#command(CPO.SET_DATASIZE, [8], "SET-DATASIZE");
    await this.#command(CPO.SET_PARITY, [1], "SET-PARITY");
    await this.#command(CPO.SET_STOPSIZE, [1], "SET-STOPSIZE");
    await this.#command(CPO.SET_CONTROL, [CONTROL.NO_FLOW_CONTROL], "SET-CONTROL");
  }

  async setBaudRate(baudRate: number): Promise<void> {
    if (!Number.isInteger(baudRate) || baudRate <= 0 || baudRate > 0xffffffff) {
      throw new UsageError(`invalid baud rate ${baudRate}`);
    }
    const be = [baudRate >>> 24, (baudRate >>> 16) & 255, (baudRate >>> 8) & 255, baudRate & 255];
    const reply = await this.#command(CPO.SET_BAUDRATE, be, "SET-BAUDRATE");
    const got = reply.length >= 4
      ? new DataView(reply.buffer, reply.byteOffset).getUint32(0)
      : baudRate;
    if (got !== baudRate) {
      throw new DeviceError(`${this.#address} set ${got} baud instead of ${baudRate}`, {
        code: "E_RFC2217",
        hint: "pick a rate the server's serial port supports",
      });
    }
    this.#baud = baudRate;
  }

  /**
   * Sends SET-CONTROL for each line given, in order with the data stream. Replies are not
   * awaited: ser2net sends none when the device behind it cannot drive the line (a pty), and
   * reset sequences must not stall on that.
   */
  async setSignals(signals: SerialSignals): Promise<void> {
    const { dataTerminalReady: dtr, requestToSend: rts, break: brk } = signals;
    const values: number[] = [];
    if (dtr !== undefined) values.push(dtr ? CONTROL.DTR_ON : CONTROL.DTR_OFF);
    if (rts !== undefined) values.push(rts ? CONTROL.RTS_ON : CONTROL.RTS_OFF);
    if (brk !== undefined) values.push(brk ? CONTROL.BREAK_ON : CONTROL.BREAK_OFF);
    for (const v of values) {
      await this.#link.send(
        subnegotiation(COM_PORT_OPTION, new Uint8Array([CPO.SET_CONTROL, v])),
      );
    }
  }

  /** Asks the server to drop buffered bytes (1 receive, 2 transmit, 3 both). */
  async purge(which: 1 | 2 | 3 = 3): Promise<void> {
    await this.#command(CPO.PURGE_DATA, [which], "PURGE-DATA");
  }

  async close(): Promise<void> {
    for (const list of this.#waiters.values()) {
      for (const w of list) w.reject(new DeviceError(`${this.#address} closed`));
    }
    this.#waiters.clear();
    this.#comPort?.(false);
    await this.#link.close();
  }

  async #command(cmd: number, value: number[], what: string): Promise<Uint8Array> {
    const list = this.#waiters.get(cmd) ?? [];
    this.#waiters.set(cmd, list);
    let waiter!: Waiter;
    const reply = new Promise<Uint8Array>((resolve, reject) =>
      list.push(waiter = { resolve, reject })
    );
    try {
      await this.#link.send(subnegotiation(COM_PORT_OPTION, new Uint8Array([cmd, ...value])));
      return await this.#withTimeout(reply, what);
    } finally {
      // A late reply must not be taken as the answer to the next command.
      const i = list.indexOf(waiter);
      if (i >= 0) list.splice(i, 1);
    }
  }

  #verb(v: Verb, option: number): Promise<void> {
    this.#sent.add(`${v}:${option}`);
    return this.#link.send(verb(v, option));
  }

  #onEvent(e: TelnetEvent): void {
    if (e.type === "sb" && e.option === COM_PORT_OPTION && e.payload.length) {
      const cmd = e.payload[0] - 100; // unsolicited NOTIFY-* replies find no waiter
      this.#waiters.get(cmd)?.shift()?.resolve(e.payload.subarray(1));
      return;
    }
    if (e.type !== "verb") return;
    const { verb: v, option: o } = e;
    // Agree to what we want, refuse the rest; answer a request only once (no loops).
    const want = o === BINARY || o === SGA || o === COM_PORT_OPTION;
    if (v === DO || v === DONT) {
      if (o === COM_PORT_OPTION) this.#comPort?.(v === DO);
      const reply: Verb = v === DO && want ? WILL : WONT;
      if (!this.#sent.has(`${reply}:${o}`)) void this.#verb(reply, o).catch(() => {});
    } else {
      const reply: Verb = v === WILL && (o === BINARY || o === SGA) ? DO : DONT;
      if (!this.#sent.has(`${reply}:${o}`)) void this.#verb(reply, o).catch(() => {});
    }
  }

  async #withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() =>
        reject(
          new TimeoutError(`${this.#address}: no reply to ${what} within ${this.#timeoutMs} ms`, {
            hint: "check the server is an RFC 2217 server and the serial device behind it works",
          }),
        ), this.#timeoutMs);
    });
    try {
      return await Promise.race([p, timeout, this.#brokenP]);
    } finally {
      clearTimeout(timer);
    }
  }
}
