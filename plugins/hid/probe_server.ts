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
import { isLoopback, refusal } from "./probe_guard.ts";
import { CLOSE_PROBE_ERROR, type ProbeHello } from "./ws_link.ts";

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
  /** Listening on an address other hosts can reach must be asked for (default false). */
  readonly public?: boolean;
  /** Browser origins that may connect (default none; `*` for any). */
  readonly allowOrigins?: readonly string[];
  /** A client that sends nothing for this long is dropped (default 60 s). */
  readonly idleTimeoutMs?: number;
  /** Most connections handled at once, the one using the probe included (default 4). */
  readonly maxConnections?: number;
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

/** WebSocket close code for a client dropped after its idle time. */
export const CLOSE_IDLE = 4003;

/** Serves `options.probe`; one client at a time, the probe opened per client. */
export function serveProbe(
  host: Pick<PluginHost, "openTransport">,
  ctx: RunContext,
  options: ProbeServerOptions,
): Promise<ProbeServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  if (!isLoopback(hostname) && !options.public) {
    return Promise.reject(
      new UsageError(`listening on ${hostname} lets other machines reach the probe`, {
        hint: "pass --public to mean it, or listen on 127.0.0.1",
      }),
    );
  }
  const token = options.token ??
    [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0"))
      .join("");
  const idleMs = options.idleTimeoutMs ?? 60_000;
  const maxConnections = options.maxConnections ?? 4;
  let busy = false;
  let open = 0;
  const policy = { hostname, port: 0, token, allowOrigins: options.allowOrigins ?? [] };
  const server = Deno.serve({ hostname, port: options.port ?? 0, onListen: () => {} }, (req) => {
    const refused = refusal(req, policy);
    if (refused) return new Response(`${refused.reason}\n`, { status: refused.status });
    if (open >= maxConnections) {
      return new Response("too many connections\n", { status: 503 });
    }
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("deltaflash probe server: connect with a WebSocket\n", { status: 426 });
    }
    const { socket, response } = Deno.upgradeWebSocket(req);
    open++;
    socket.binaryType = "arraybuffer";
    socket.addEventListener("close", () => open--, { once: true });
    dropWhenIdle(socket, idleMs);
    socket.onopen = () => {
      if (busy) return socket.close(CLOSE_PROBE_ERROR, "probe in use by another client");
      busy = true;
      relay(host, ctx, options, socket).finally(() => (busy = false));
    };
    return response;
  });
  const addr = server.addr;
  policy.port = addr.port;
  const h = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  return Promise.resolve({
    url: `ws://${h}:${addr.port}/?token=${token}`,
    token,
    close: () => server.shutdown(),
    finished: server.finished,
  });
}

/** Closes `socket` once it has been silent for `ms`. */
function dropWhenIdle(socket: WebSocket, ms: number): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => socket.close(CLOSE_IDLE, `idle for ${ms} ms`), ms);
  };
  arm();
  socket.addEventListener("message", arm);
  socket.addEventListener("close", () => clearTimeout(timer), { once: true });
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

/** Environment variable the probe-server's token can come from (keeps it out of `ps`). */
export const TOKEN_ENV = "DELTAFLASH_PROBE_TOKEN";

/** A positive whole number option, or a UsageError naming it. */
function positive(value: unknown, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    throw new UsageError(`bad ${flag} '${value}'`, {
      hint: `${flag} takes a whole number above 0`,
    });
  }
  return n;
}

/** The token from --token-file, --token or the environment (random when none). */
export async function tokenFrom(
  opts: Readonly<Record<string, unknown>>,
): Promise<string | undefined> {
  if (opts.tokenFile !== undefined) {
    let text: string;
    try {
      text = await Deno.readTextFile(String(opts.tokenFile));
    } catch (e) {
      throw new UsageError(`cannot read --token-file ${opts.tokenFile}: ${(e as Error).message}`);
    }
    const token = text.trim();
    if (!token) throw new UsageError(`--token-file ${opts.tokenFile} is empty`);
    return token;
  }
  if (opts.token) return String(opts.token);
  return Deno.env.get(TOKEN_ENV) || undefined;
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
      { flags: "--public", description: "allow --listen on an address other machines can reach" },
      {
        flags: "--token <token>",
        description: `token clients must give (else --token-file, $${TOKEN_ENV} or random)`,
      },
      { flags: "--token-file <file>", description: "read the token from this file" },
      {
        flags: "--allow-origin <origins>",
        description: "comma-separated browser origins that may connect (default: none)",
      },
      { flags: "--idle-timeout <seconds>", description: "drop a silent client (default 60)" },
      { flags: "--max-connections <n>", description: "connections at once (default 4)" },
    ],
    async run(_args, opts, io: CommandIO) {
      const probe = [opts.probe ?? "hid:"].flat()[0] as string;
      const listen = String(opts.listen ?? "127.0.0.1:7373");
      const colon = listen.lastIndexOf(":");
      const port = Number(listen.slice(colon + 1));
      if (colon <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
        throw new UsageError(`bad --listen '${listen}'`, { hint: "e.g. --listen 127.0.0.1:7373" });
      }
      const hostname = listen.slice(0, colon).replace(/^\[|\]$/g, "");
      const server = await serveProbe(host, createContext(), {
        probe,
        hostname,
        port,
        token: await tokenFrom(opts),
        public: opts.public === true,
        allowOrigins: opts.allowOrigin === undefined
          ? []
          : String(opts.allowOrigin).split(",").map((o) => o.trim()).filter(Boolean),
        idleTimeoutMs: positive(opts.idleTimeout, "--idle-timeout", 60) * 1000,
        maxConnections: positive(opts.maxConnections, "--max-connections", 4),
      });
      if (!isLoopback(hostname)) {
        io.err(
          `warning: listening on ${hostname}: anyone who can reach this machine and has the ` +
            "token can use the probe",
        );
      }
      io.out(`serving ${probe} at ${server.url}`);
      io.out(`use: --probe '${server.url}'`);
      await server.finished;
    },
  };
}
