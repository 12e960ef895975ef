import { deepEqual, rejects } from "node:assert/strict";
import { createContext, type DapPacketLink, UsageError } from "../../kernel/mod.ts";
import { serveProbe } from "./probe_server.ts";
import { WsDapLink } from "./ws_link.ts";

/** Answers each command with its id and a running count, like a probe would in order. */
class CountingLink implements DapPacketLink {
  readonly packetSize = 64;
  readonly #out: Uint8Array[] = [];
  #n = 0;
  closed = false;
  write(p: Uint8Array) {
    this.#out.push(Uint8Array.of(p[0], this.#n++));
    return Promise.resolve();
  }
  read() {
    return Promise.resolve(this.#out.shift()!);
  }
  close() {
    this.closed = true;
    return Promise.resolve();
  }
}

Deno.test("probe-server relays pipelined packets in order and needs the token", async () => {
  const link = new CountingLink();
  const opened: string[] = [];
  const host = {
    openTransport: (_ctx: unknown, _kind: unknown, address: string) => {
      opened.push(address);
      return Promise.resolve(link);
    },
  } as unknown as Parameters<typeof serveProbe>[0];
  const server = await serveProbe(host, createContext(), { probe: "sim:microbit-v2" });
  try {
    const client = await WsDapLink.connect(server.url);
    deepEqual(client.packetSize, 64);
    await client.write(Uint8Array.of(0x05));
    await client.write(Uint8Array.of(0x06));
    await client.write(Uint8Array.of(0x00));
    const got = [await client.read(), await client.read(), await client.read()];
    deepEqual(got.map((r) => [...r]), [[5, 0], [6, 1], [0, 2]]);
    await client.close();
    deepEqual(opened, ["sim:microbit-v2"]);
    await rejects(
      () => WsDapLink.connect(server.url.replace(/token=\w+/, "token=wrong")),
      UsageError,
    );
  } finally {
    await server.close();
  }
});
