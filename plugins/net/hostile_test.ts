import { ok, rejects, throws } from "node:assert/strict";
import { createContext, DeviceError, TimeoutError } from "../../kernel/mod.ts";
import { EspLink, request } from "../../targets/esp/link.ts";
import { Op, SYNC_PAYLOAD } from "../../targets/esp/protocol.ts";
import { openRfc2217 } from "./rfc2217.ts";
import { openSocketPort } from "./socket.ts";
import { COM_PORT_OPTION, IAC, MAX_SUBNEGOTIATION, SB, TelnetDecoder } from "./telnet.ts";

/** A TCP peer that sends `head`, then junk in 64 KiB chunks until `total` bytes or hang-up. */
function junkServer(head: Uint8Array, total: number) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let sent = 0;
  const served = (async () => {
    const conn = await listener.accept();
    try {
      await conn.write(head);
      const junk = new Uint8Array(0x10000).fill(0x41);
      while (sent < total) sent += await conn.write(junk);
    } catch { /* the client hung up */ }
    conn.close();
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    sent: () => sent,
    async close() {
      listener.close();
      await served;
    },
  };
}

Deno.test("telnet: an endless subnegotiation is a typed error at the cap", () => {
  const d = new TelnetDecoder();
  d.feed(Uint8Array.of(IAC, SB, COM_PORT_OPTION));
  throws(
    () => d.feed(new Uint8Array(MAX_SUBNEGOTIATION + 1).fill(0x41)),
    (e: unknown) => e instanceof DeviceError && /subnegotiation/.test(e.message),
  );
});

Deno.test("socket:// peer sending a SLIP frame that never ends: typed error, bounded read", async () => {
  const server = junkServer(Uint8Array.of(0xc0), 64 << 20);
  const port = await openSocketPort(`socket://127.0.0.1:${server.port}`);
  const link = new EspLink(port);
  const ctx = createContext();
  await rejects(
    link.command(ctx, request(Op.SYNC, SYNC_PAYLOAD, 60_000)),
    (e: unknown) =>
      e instanceof DeviceError && !(e instanceof TimeoutError) && e.code === "E_FRAME_TOO_LONG",
  );
  await link.close();
  await port.close();
  await server.close();
  ok(server.sent() < 64 << 20, `${server.sent()} bytes sent before the hang-up`);
});

Deno.test("rfc2217:// peer with an endless subnegotiation: typed error, not a timeout", async () => {
  const server = junkServer(Uint8Array.of(IAC, SB, COM_PORT_OPTION), 64 << 20);
  await rejects(
    openRfc2217(`rfc2217://127.0.0.1:${server.port}`, { replyTimeoutMs: 60_000 }),
    (e: unknown) => e instanceof DeviceError && /subnegotiation/.test(e.message),
  );
  await server.close();
  ok(server.sent() < 64 << 20);
});
