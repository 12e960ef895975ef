import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import { createContext, type DapPacketLink, DeviceError, UsageError } from "../../kernel/mod.ts";
import { hostAllowed } from "./probe_guard.ts";
import { probeServerCommand, serveProbe, TOKEN_ENV, tokenFrom } from "./probe_server.ts";
import { WsDapLink } from "./ws_link.ts";

/** Echoes each command back. */
class EchoLink implements DapPacketLink {
  readonly packetSize = 64;
  readonly #out: Uint8Array[] = [];
  write(p: Uint8Array) {
    this.#out.push(p.slice());
    return Promise.resolve();
  }
  read() {
    return Promise.resolve(this.#out.shift()!);
  }
  close() {
    return Promise.resolve();
  }
}

function fakeHost() {
  const opened: string[] = [];
  const host = {
    openTransport: (_ctx: unknown, _kind: unknown, address: string) => {
      opened.push(address);
      return Promise.resolve(new EchoLink());
    },
  } as unknown as Parameters<typeof serveProbe>[0];
  return { host, opened };
}

/** Sends a WebSocket upgrade request by hand and returns the response's status code. */
async function upgradeStatus(port: number, path: string, headers: Record<string, string> = {}) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const all: Record<string, string> = {
    Host: `127.0.0.1:${port}`,
    Upgrade: "websocket",
    Connection: "Upgrade",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version": "13",
    ...headers,
  };
  const head = Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join("");
  await conn.write(new TextEncoder().encode(`GET ${path} HTTP/1.1\r\n${head}\r\n`));
  const buf = new Uint8Array(512);
  const n = await conn.read(buf);
  conn.close();
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(new TextDecoder().decode(buf.subarray(0, n ?? 0)))?.[1]);
}

Deno.test("probe-server: the token, Host and Origin are checked before any upgrade", async () => {
  const { host, opened } = fakeHost();
  const server = await serveProbe(host, createContext(), { probe: "sim:microbit-v2" });
  const port = Number(new URL(server.url).port);
  const ok = `/?token=${server.token}`;
  try {
    equal(await upgradeStatus(port, "/?token=wrong"), 401);
    equal(await upgradeStatus(port, "/"), 401);
    // DNS rebinding: the browser sends the attacker's name as Host.
    equal(await upgradeStatus(port, ok, { Host: `evil.example:${port}` }), 421);
    equal(await upgradeStatus(port, ok, { Host: `127.0.0.1:${port + 1}` }), 421);
    // A web page on any origin.
    equal(await upgradeStatus(port, ok, { Origin: "https://evil.example" }), 403);
    equal(await upgradeStatus(port, ok, { Host: `localhost:${port}` }), 101);
    deepEqual(opened.length <= 1, true, "the probe opens only for accepted clients");
    await rejects(
      WsDapLink.connect(server.url.replace(/token=\w+/, "token=wrong")),
      UsageError,
    );
  } finally {
    await server.close();
  }
});

Deno.test("probe-server: --allow-origin lets a named browser origin in", async () => {
  const { host } = fakeHost();
  const server = await serveProbe(host, createContext(), {
    probe: "sim:microbit-v2",
    allowOrigins: ["https://flash.example"],
  });
  const port = Number(new URL(server.url).port);
  try {
    const path = `/?token=${server.token}`;
    equal(await upgradeStatus(port, path, { Origin: "https://flash.example" }), 101);
    equal(await upgradeStatus(port, path, { Origin: "https://flash.example.evil" }), 403);
  } finally {
    await server.close();
  }
});

Deno.test("probe-server: listening beyond loopback needs --public", async () => {
  const { host } = fakeHost();
  await rejects(
    serveProbe(host, createContext(), { probe: "sim:x", hostname: "0.0.0.0" }),
    UsageError,
  );
  const command = probeServerCommand(host);
  await rejects(
    command.run([], { listen: "0.0.0.0:0", probe: "sim:x" }, { out: () => {}, err: () => {} }),
    UsageError,
  );
  const open = await serveProbe(host, createContext(), {
    probe: "sim:x",
    hostname: "0.0.0.0",
    public: true,
  });
  await open.close();
  ok(hostAllowed(`192.168.1.5:7373`, {
    hostname: "0.0.0.0",
    port: 7373,
    token: "",
    allowOrigins: [],
  }));
  ok(
    !hostAllowed(`rebind.example:7373`, {
      hostname: "0.0.0.0",
      port: 7373,
      token: "",
      allowOrigins: [],
    }),
  );
});

Deno.test("probe-server: a silent client is dropped after the idle limit", async () => {
  const { host } = fakeHost();
  const server = await serveProbe(host, createContext(), {
    probe: "sim:microbit-v2",
    idleTimeoutMs: 100,
  });
  try {
    const client = await WsDapLink.connect(server.url);
    await rejects(
      client.read(30_000),
      (e: unknown) => e instanceof DeviceError && /4003/.test(e.message),
    );
    // The probe is free again for the next client.
    const next = await WsDapLink.connect(server.url);
    await next.write(Uint8Array.of(0x00, 0x01));
    deepEqual([...await next.read()], [0x00, 0x01]);
    await next.close();
  } finally {
    await server.close();
  }
});

Deno.test("probe-server: connections beyond the limit are refused before upgrading", async () => {
  const { host } = fakeHost();
  const server = await serveProbe(host, createContext(), {
    probe: "sim:microbit-v2",
    maxConnections: 1,
  });
  const port = Number(new URL(server.url).port);
  const client = await WsDapLink.connect(server.url);
  try {
    // The client holding the probe fills the server; the next is refused without an upgrade.
    equal(await upgradeStatus(port, `/?token=${server.token}`), 503);
    await rejects(WsDapLink.connect(server.url), /too many connections/);
  } finally {
    await client.close();
    await server.close();
  }
});

Deno.test("probe-server: the token can come from a file or the environment, not only argv", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/token`, "s3cret-from-file\n");
    equal(await tokenFrom({ tokenFile: `${dir}/token` }), "s3cret-from-file");
    await rejects(tokenFrom({ tokenFile: `${dir}/missing` }), UsageError);
    Deno.env.set(TOKEN_ENV, "s3cret-from-env");
    equal(await tokenFrom({}), "s3cret-from-env");
    equal(await tokenFrom({ token: "argv" }), "argv");
  } finally {
    Deno.env.delete(TOKEN_ENV);
    await Deno.remove(dir, { recursive: true });
  }
  match(String(await tokenFrom({})), /^undefined$/);
});
