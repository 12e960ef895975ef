/**
 * A TCP connection shaped for a serial port: a pump turns received chunks into the port's
 * readable stream (through a filter, e.g. the telnet decoder), sends are serialized so data
 * and control commands keep their order, and close ends pending reads.
 *
 * @module
 */
import { DeviceError, UsageError } from "../../kernel/mod.ts";

/** Host and port of a `scheme://host:port` address. */
export function parseHostPort(address: string, scheme: string): { hostname: string; port: number } {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    url = new URL("x://invalid");
  }
  const port = Number(url.port);
  if (url.protocol !== `${scheme}:` || !url.hostname || !Number.isInteger(port) || port <= 0) {
    throw new UsageError(`bad ${scheme} address '${address}'`, {
      hint: `write it as ${scheme}://host:port, e.g. ${scheme}://192.168.1.20:4000`,
    });
  }
  return { hostname: url.hostname.replace(/^\[|\]$/g, ""), port };
}

/** Connects, turning refusal and unknown hosts into a DeviceError. */
export async function connectTcp(address: string, scheme: string): Promise<Deno.TcpConn> {
  const { hostname, port } = parseHostPort(address, scheme);
  try {
    const conn = await Deno.connect({ hostname, port, transport: "tcp" });
    conn.setNoDelay(true);
    return conn;
  } catch (e) {
    throw new DeviceError(`cannot connect to ${hostname}:${port}: ${(e as Error).message}`, {
      code: "E_NET_CONNECT",
      hint: "check the server is running and the port number",
      cause: e,
    });
  }
}

/** Receives chunks, returns the data bytes to pass on. */
export type ChunkFilter = (chunk: Uint8Array) => Uint8Array;

/** The byte-stream half shared by the RFC2217 and raw socket ports. */
export class TcpLink {
  readonly readable: ReadableStream<Uint8Array>;
  readonly #conn: Deno.TcpConn;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #label: string;
  #ctrl!: ReadableStreamDefaultController<Uint8Array>;
  #sendChain: Promise<void> = Promise.resolve();
  #closed = false;
  #reader?: ReadableStreamDefaultReader<Uint8Array>;
  readonly #pumpDone: Promise<void>;

  constructor(conn: Deno.TcpConn, label: string, filter: ChunkFilter = (c) => c) {
    this.#conn = conn;
    this.#label = label;
    this.#writer = conn.writable.getWriter();
    this.readable = new ReadableStream<Uint8Array>({
      start: (c) => {
        this.#ctrl = c;
      },
    });
    this.#pumpDone = this.#pump(filter);
  }

  /** True once closed by us. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Sends bytes after everything sent before; rejects if the link is gone. */
  send(bytes: Uint8Array): Promise<void> {
    const next = this.#sendChain.then(async () => {
      if (this.#closed) {
        throw new DeviceError(`${this.#label} is closed`, { code: "E_PORT_CLOSED" });
      }
      try {
        await this.#writer.write(bytes);
      } catch (e) {
        throw this.#gone("write", e);
      }
    });
    this.#sendChain = next.catch(() => {});
    return next;
  }

  /** Closes the connection; pending reads end. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#sendChain;
    try {
      await this.#reader?.cancel();
    } catch { /* already failed */ }
    try {
      this.#conn.close();
    } catch { /* already closed */ }
    await this.#pumpDone;
  }

  async #pump(filter: ChunkFilter): Promise<void> {
    const reader = this.#reader = this.#conn.readable.getReader();
    try {
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        const data = filter(value);
        if (data.length && !this.#closed) this.#ctrl.enqueue(data);
      }
      if (this.#closed) this.#safeClose();
      else this.#ctrl.error(this.#gone("read"));
    } catch (e) {
      if (this.#closed) this.#safeClose();
      else if (e instanceof DeviceError) {
        // The peer broke the protocol (the filter refused its bytes): report that, hang up.
        this.#ctrl.error(e);
        await reader.cancel().catch(() => {});
      } else this.#ctrl.error(this.#gone("read", e));
    }
  }

  #safeClose(): void {
    try {
      this.#ctrl.close();
    } catch { /* already closed or errored */ }
  }

  #gone(op: string, cause?: unknown): DeviceError {
    return new DeviceError(`${this.#label}: connection lost during ${op}`, {
      code: "E_PORT_GONE",
      hint: "check the network and the server, then run the same command again",
      cause,
    });
  }
}
