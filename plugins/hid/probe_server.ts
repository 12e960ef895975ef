/**
 * `probe-server`: exposes a local CMSIS-DAP probe over WebSocket so a flasher elsewhere (or
 * in a container without USB) can use it as `--probe ws://host:port/?token=…`. Listens on
 * loopback unless told otherwise and always requires the token.
 *
 * @module
 */
import {
  type CliCommand,
  type CommandIO,
  createContext,
  type PluginHost,
  type RunContext,
  UsageError,
} from "../../kernel/mod.ts";
import { CLOSE_BAD_TOKEN, CLOSE_PROBE_ERROR, type ProbeHello } from "./ws_link.ts";

/** Options of {@link serveProbe}. */
export interface ProbeServerOptions {
  /** Local probe address (`hid:`, `hid:/dev/hidraw2`, `sim:microbit-v2`, …). */
  readonly probe: string;
  /** Interface to listen on (default 127.0.0.1). */
  readonly hostname?: string;
  /** TCP port (default 0: any free port). */
  readonly port?: number;
  /** Token clients must present; a random one when absent. */
  readonly token?: string;
  /** Target name passed to the transport (lets a simulator pick its chip). */
  readonly target?: string;
}

/** A running server. */
export interface ProbeServer {
  /** Address for `--probe`. */
  readonly url: string;
  /** The token. */
  readonly token: string;
  /** Stops listening and drops the client. */
  close(): Promise<void>;
  /** Resolves when the server stops. */
  readonly finished: Promise<void>;
}

function sameToken(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a), y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** Serves `options.probe`; one client at a time, the probe opened per client. */
export function serveProbe(
  host: Pick<PluginHost, "openTransport">,
  ctx: RunContext,
  options: ProbeServerOptions,
): Promise<ProbeServer> {
  const token = options.token ??
    [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0"))
      .join("");
  let busy = false;
  const server = Deno.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    onListen: () => {},
  }, (req) => {
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("deltaflash probe server: connect with a WebSocket\n", { status: 426 });
    }
    const given = new URL(req.url).searchParams.get("token") ?? "";
    const { socket, response } = Deno.upgradeWebSocket(req);
    socket.binaryType = "arraybuffer";
    socket.onopen = () => {
      if (!sameToken(given, token)) return socket.close(CLOSE_BAD_TOKEN, "bad token");
      if (busy) return socket.close(CLOSE_PROBE_ERROR, "probe in use by another client");
      busy = true;
      relay(host, ctx, options, socket).finally(() => (busy = false));
    };
    return response;
  });
  const addr = server.addr;
  const h = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  return Promise.resolve({
    url: `ws://${h}:${addr.port}/?token=${token}`,
    token,
    close: () => server.shutdown(),
    finished: server.finished,
  });
}

async function relay(
  host: Pick<PluginHost, "openTransport">,
  ctx: RunContext,
  options: ProbeServerOptions,
  socket: WebSocket,
): Promise<void> {
  let link;
  try {
    link = await host.openTransport(ctx, "dap", options.probe, { target: options.target });
  } catch (e) {
    socket.close(CLOSE_PROBE_ERROR, (e as Error).message.slice(0, 120));
    return;
  }
  const hello: ProbeHello = { type: "deltaflash-probe", packetSize: link.packetSize };
  socket.send(JSON.stringify(hello));
  // Responses are read in command order; chaining keeps pipelined commands in order.
  let chain = Promise.resolve();
  const done = new Promise<void>((resolve) => (socket.onclose = () => resolve()));
  socket.onmessage = (ev) => {
    if (typeof ev.data === "string") return;
    const packet = new Uint8Array(ev.data as ArrayBuffer);
    const write = link.write(packet);
    if (packet[0] === 0x07) return; // DAP_TransferAbort has no response
    chain = chain.then(async () => {
      await write;
      const r = await link.read(5000);
      if (socket.readyState === WebSocket.OPEN) socket.send(r.slice());
    }).catch((e) => {
      ctx.log.warn(`probe-server: ${(e as Error).message}`);
      socket.close(CLOSE_PROBE_ERROR, "probe error");
    });
  };
  await done;
  await chain.catch(() => {});
  await link.close();
}

/** The `probe-server` CLI command (for the CLI to add). */
export function probeServerCommand(host: Pick<PluginHost, "openTransport">): CliCommand {
  return {
    name: "probe-server",
    description: "share a local CMSIS-DAP probe over WebSocket (token required)",
    // The probe comes from the global --probe (default hid:); --listen avoids the global --port.
    options: [
      {
        flags: "--listen <host:port>",
        description: "where to listen (loopback by default)",
        default: "127.0.0.1:7373",
      },
      { flags: "--token <token>", description: "token clients must give (random if absent)" },
    ],
    async run(_args, opts, io: CommandIO) {
      const probe = [opts.probe ?? "hid:"].flat()[0] as string;
      const listen = String(opts.listen ?? "127.0.0.1:7373");
      const colon = listen.lastIndexOf(":");
      const port = Number(listen.slice(colon + 1));
      if (colon <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
        throw new UsageError(`bad --listen '${listen}'`, { hint: "e.g. --listen 127.0.0.1:7373" });
      }
      const server = await serveProbe(host, createContext(), {
        probe,
        hostname: listen.slice(0, colon),
        port,
        token: opts.token ? String(opts.token) : undefined,
      });
      io.out(`serving ${probe} at ${server.url}`);
      io.out(`use: --probe '${server.url}'`);
      await server.finished;
    },
  };
}
