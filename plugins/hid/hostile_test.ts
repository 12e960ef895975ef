import { ok, rejects, throws } from "node:assert/strict";
import { createContext, DeviceError } from "../../kernel/mod.ts";
import { DapProbe } from "../../probes/dap/probe.ts";
import { parseHello, WsDapLink } from "./ws_link.ts";

/** A WebSocket server whose first message is `hello`. */
function helloServer(hello: string) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const { socket, response } = Deno.upgradeWebSocket(req);
    socket.onopen = () => socket.send(hello);
    return response;
  });
  return { url: `ws://127.0.0.1:${server.addr.port}/?token=t`, close: () => server.shutdown() };
}

Deno.test("a probe-server hello with packet size 0 (or none, or absurd) is a DeviceError", async () => {
  for (const size of [0, -1, 3, 1.5, "64", null, 1e9]) {
    const s = helloServer(JSON.stringify({ type: "deltaflash-probe", packetSize: size }));
    await rejects(WsDapLink.connect(s.url, 2000), DeviceError, String(size));
    await s.close();
  }
  const ok64 = helloServer(JSON.stringify({ type: "deltaflash-probe", packetSize: 64 }));
  const link = await WsDapLink.connect(ok64.url, 2000);
  ok(link.packetSize === 64);
  await link.close();
  await ok64.close();
  throws(() => parseHello("[]"));
  throws(() => parseHello(new ArrayBuffer(4)));
});

Deno.test("a DAP link reporting a packet size below 8 is refused typed", () => {
  const link = {
    packetSize: 0,
    write: () => Promise.resolve(),
    read: () => Promise.resolve(new Uint8Array(0)),
    close: () => Promise.resolve(),
  };
  throws(() => new DapProbe(link), DeviceError);
});

Deno.test("a command too big for the probe's packets is a DeviceError, not a RangeError", async () => {
  const link = {
    packetSize: 8,
    write: () => Promise.resolve(),
    read: () => Promise.resolve(new Uint8Array(8)),
    close: () => Promise.resolve(),
  };
  const probe = new DapProbe(link);
  await rejects(probe.exchange(createContext(), [new Uint8Array(9)]), DeviceError);
});
