import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { createContext, DeviceError, TimeoutError } from "../../kernel/mod.ts";
import { RspClient } from "./client.ts";
import { fromLatin1 } from "./codec.ts";
import { FakeGdbServer } from "./fake_server_test_util.ts";

const ctx = createContext();

Deno.test("handshake reads PacketSize and enters no-ack mode when offered", async () => {
  const s = new FakeGdbServer({ noAck: true, packetSize: 0x1000 });
  const c = new RspClient(s.stream);
  await c.handshake(ctx);
  equal(c.packetSize, 0x1000);
  equal(c.ackMode, false);
  const before = s.raw.length;
  equal(await c.request(ctx, "m0,4"), "00000000");
  // After no-ack mode the client sends the packet alone: no '+' for the reply.
  equal(fromLatin1(Uint8Array.from(s.raw.slice(before))), "$m0,4#fd");
  await c.close();
});

Deno.test("stays in ack mode when no-ack is not offered; acks every reply", async () => {
  const s = new FakeGdbServer();
  const c = new RspClient(s.stream);
  await c.handshake(ctx);
  equal(c.ackMode, true);
  ok(!s.received.includes("QStartNoAckMode"));
  const before = s.raw.length;
  await c.request(ctx, "?");
  await new Promise((r) => setTimeout(r, 0));
  equal(fromLatin1(Uint8Array.from(s.raw.slice(before))), "$?#3f+");
  await c.close();
});

Deno.test("a nacked packet is sent again, byte for byte", async () => {
  const s = new FakeGdbServer({ nacks: 2 });
  const c = new RspClient(s.stream);
  equal(await c.request(ctx, "m10,2"), "0000");
  deepEqual(s.received, ["m10,2", "m10,2", "m10,2"]);
  equal(c.errorCounts.retransmits, 2);
  await c.close();
});

Deno.test("a corrupted reply is nacked and the server's retransmission accepted", async () => {
  const s = new FakeGdbServer({ corruptReplies: 1 });
  s.load(0x100, Uint8Array.of(1, 2, 3, 4));
  const c = new RspClient(s.stream);
  equal(await c.request(ctx, "m100,4"), "01020304");
  equal(c.errorCounts.badPackets, 1);
  ok(s.raw.includes(0x2d), "client sent '-'");
  await c.close();
});

Deno.test("run-length encoded replies are expanded", async () => {
  const s = new FakeGdbServer({ rle: true });
  s.load(0x2000, new Uint8Array(64).fill(0xff));
  const c = new RspClient(s.stream);
  const reply = await c.request(ctx, "m2000,40");
  equal(reply, "ff".repeat(64));
  await c.close();
});

Deno.test("console output packets are collected, not returned", async () => {
  const s = new FakeGdbServer();
  const c = new RspClient(s.stream);
  equal(await c.request(ctx, "qRcmd,7265736574"), "OK");
  equal(c.console, "ran reset\n");
  await c.close();
});

Deno.test("a silent server: the packet is resent, then a typed error", async () => {
  const s = new FakeGdbServer({ silent: true });
  const c = new RspClient(s.stream, { timeoutMs: 20, attempts: 3 });
  await rejects(() => c.request(ctx, "?"), DeviceError);
  equal(s.received.length, 3);
  await c.close();
  const s2 = new FakeGdbServer({ silent: true, noAck: true });
  const c2 = new RspClient(s2.stream, { timeoutMs: 20 });
  c2.ackMode = false;
  await rejects(() => c2.request(ctx, "?"), TimeoutError);
  await c2.close();
});

Deno.test("an aborted run stops waiting", async () => {
  const s = new FakeGdbServer({ silent: true });
  const ac = new AbortController();
  const c = new RspClient(s.stream, { timeoutMs: 5000 });
  c.ackMode = false;
  const p = c.request(createContext({ signal: ac.signal }), "?");
  ac.abort();
  await rejects(p, (e: Error) => e.name === "AbortedError");
  await c.close();
});

Deno.test("a connection reset by the server while sending is a typed DeviceError", async () => {
  const stream = {
    readable: new ReadableStream<Uint8Array>(),
    writable: new WritableStream<Uint8Array>({
      write() {
        throw new Deno.errors.ConnectionReset("Connection reset by peer (os error 104)");
      },
    }),
    close: () => Promise.resolve(),
  };
  const c = new RspClient(stream, { timeoutMs: 50 });
  await rejects(c.request(ctx, "m0,4"), (e) => {
    ok(e instanceof DeviceError, String(e));
    ok(e.message.includes("connection lost") && e.hint?.includes("run the same command again"));
    return true;
  });
  await c.close();
});
