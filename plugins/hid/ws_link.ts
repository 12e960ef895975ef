/**
 * A CMSIS-DAP link through a `deltaflash probe-server` over WebSocket. Each binary message
 * is one command (to the server) or one response (from it); the server's first message is
 * a JSON hello with the probe's packet size. The token goes in the URL (`?token=…`).
 *
 * @module
 */
import { type DapPacketLink, DeviceError, TimeoutError, UsageError } from "../../kernel/mod.ts";

/** The server's first message. */
export interface ProbeHello {
  /** Always `"deltaflash-probe"`. */
  readonly type: "deltaflash-probe";
  /** Packet size of the probe behind the server. */
  readonly packetSize: number;
}

/** Smallest and largest CMSIS-DAP packet sizes (HID reports are 64 bytes, bulk up to 1 KiB). */
const PACKET_SIZES = { min: 8, max: 0x10000 } as const;

/** Checks the server's first message; throws an Error saying what is wrong with it. */
export function parseHello(data: unknown): ProbeHello {
  if (typeof data !== "string") throw new Error("the first message is not text");
  let hello: unknown;
  try {
    hello = JSON.parse(data);
  } catch {
    throw new Error("the first message is not JSON");
  }
  const h = hello as Partial<ProbeHello> | null;
  if (typeof h !== "object" || h === null || h.type !== "deltaflash-probe") {
    throw new Error("not a deltaflash probe server");
  }
  const size = h.packetSize;
  if (
    typeof size !== "number" || !Number.isInteger(size) || size < PACKET_SIZES.min ||
    size > PACKET_SIZES.max
  ) {
    throw new Error(
      `packet size ${JSON.stringify(size)} is not ${PACKET_SIZES.min}-${PACKET_SIZES.max}`,
    );
  }
  return { type: "deltaflash-probe", packetSize: size };
}

/** WebSocket close code the server uses for a bad or missing token. */
export const CLOSE_BAD_TOKEN = 4001;
/** WebSocket close code for "probe could not be opened". */
export const CLOSE_PROBE_ERROR = 4002;

function badToken(): UsageError {
  return new UsageError("the probe server refused the token", {
    hint: "copy the token the server printed",
  });
}

/** Why the server refused the upgrade, from the status a plain request to it gets. */
async function explainRefusal(url: string): Promise<Error | undefined> {
  const res = await fetch(url.replace(/^ws/, "http"), { signal: AbortSignal.timeout(2000) });
  const reason = (await res.text()).trim().slice(0, 200);
  if (res.status === 401) return badToken();
  if (res.status === 403 || res.status === 421 || res.status === 503) {
    return new DeviceError(`probe server ${url} refused the connection: ${reason}`, {
      hint: res.status === 503
        ? "the server has as many clients as it allows; try again later"
        : "connect with the address the server printed",
    });
  }
  return undefined;
}

/** A DAP link over WebSocket. */
export class WsDapLink implements DapPacketLink {
  readonly #ws: WebSocket;
  readonly #queue: Uint8Array[] = [];
  #waiter?: (p: Uint8Array | Error) => void;
  #error?: Error;

  private constructor(ws: WebSocket, readonly packetSize: number) {
    this.#ws = ws;
    ws.onmessage = (ev) => {
      if (typeof ev.data === "string") return;
      this.#deliver(new Uint8Array(ev.data as ArrayBuffer));
    };
    ws.onclose = (ev) => {
      this.#error = new DeviceError(`probe server closed the connection (${ev.code} ${ev.reason})`);
      this.#waiter?.(this.#error);
    };
  }

  #deliver(p: Uint8Array | Error): void {
    const w = this.#waiter;
    this.#waiter = undefined;
    if (w) w(p);
    else if (p instanceof Uint8Array) this.#queue.push(p);
  }

  /** Connects and waits for the server's hello. */
  static connect(url: string, timeoutMs = 5000): Promise<WsDapLink> {
    if (!/[?&]token=/.test(url)) {
      throw new UsageError("a probe-server address needs its token", {
        hint: "use ws://host:port/?token=TOKEN as printed by `deltaflash probe-server`",
      });
    }
    return new Promise((resolve, reject) => {
      let ws: WebSocket;
      try {
        ws = new WebSocket(url);
      } catch (e) {
        return reject(new UsageError(`bad probe-server address ${url}`, { cause: e }));
      }
      ws.binaryType = "arraybuffer";
      const timer = setTimeout(() => {
        ws.close();
        reject(new TimeoutError(`probe server ${url} did not answer`));
      }, timeoutMs);
      ws.onmessage = (ev) => {
        clearTimeout(timer);
        try {
          resolve(new WsDapLink(ws, parseHello(ev.data).packetSize));
        } catch (e) {
          ws.close();
          reject(
            new DeviceError(`unexpected greeting from ${url}: ${(e as Error).message}`, {
              cause: e,
              hint: "the address must be a `deltaflash probe-server`",
            }),
          );
        }
      };
      ws.onerror = () => {};
      ws.onclose = (ev) => {
        clearTimeout(timer);
        if (ev.code === CLOSE_BAD_TOKEN) return reject(badToken());
        const failed = new DeviceError(
          `cannot connect to probe server ${url} (${ev.code} ${ev.reason})`,
        );
        // A refused upgrade only shows as an abnormal close: ask over HTTP why.
        if (ev.code !== 1006 && ev.code !== 0) return reject(failed);
        explainRefusal(url).then((e) => reject(e ?? failed), () => reject(failed));
      };
    });
  }

  write(packet: Uint8Array): Promise<void> {
    if (this.#error) return Promise.reject(this.#error);
    this.#ws.send(packet.slice());
    return Promise.resolve();
  }

  read(timeoutMs = 2000): Promise<Uint8Array> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#error) return Promise.reject(this.#error);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        reject(new TimeoutError("no response through the probe server"));
      }, timeoutMs);
      this.#waiter = (p) => {
        clearTimeout(timer);
        if (p instanceof Error) reject(p);
        else resolve(p);
      };
    });
  }

  close(): Promise<void> {
    if (this.#ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.#ws.addEventListener("close", () => resolve(), { once: true });
      this.#ws.close(1000, "done");
    });
  }
}
