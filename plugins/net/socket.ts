/**
 * `socket://host:port`: a raw TCP byte stream (ser2net `tcp` accepter, esp-link, a simulator
 * on another machine). No control channel, so modem lines are unsupported and a baud-rate
 * change is only remembered (the far end's rate is whatever it was configured with).
 *
 * @module
 */
import type { SerialPortInfo, SerialPortLike, SerialSignals } from "../../kernel/mod.ts";
import { SignalsUnsupportedError, UsageError } from "../../kernel/mod.ts";
import { connectTcp, TcpLink } from "./tcp_link.ts";

/** Connects to `socket://host:port`. */
export async function openSocketPort(address: string, baudRate = 115200): Promise<SocketPort> {
  return new SocketPort(await connectTcp(address, "socket"), address, baudRate);
}

/** An open raw TCP port. */
export class SocketPort implements SerialPortLike {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  readonly #link: TcpLink;
  readonly #address: string;
  #baud: number;

  constructor(conn: Deno.TcpConn, address: string, baudRate: number) {
    this.#address = address;
    this.#baud = baudRate;
    this.#link = new TcpLink(conn, address);
    this.readable = this.#link.readable;
    this.writable = new WritableStream<Uint8Array>({ write: (c) => this.#link.send(c) });
  }

  get baudRate(): number {
    return this.#baud;
  }

  getInfo(): SerialPortInfo {
    return { path: this.#address };
  }

  setSignals(_signals: SerialSignals): Promise<void> {
    return Promise.reject(new SignalsUnsupportedError(this.#address));
  }

  /** Remembered only: a raw socket has no way to tell the far end. */
  setBaudRate(baudRate: number): Promise<void> {
    if (!Number.isInteger(baudRate) || baudRate <= 0) {
      return Promise.reject(new UsageError(`invalid baud rate ${baudRate}`));
    }
    this.#baud = baudRate;
    return Promise.resolve();
  }

  close(): Promise<void> {
    return this.#link.close();
  }
}
