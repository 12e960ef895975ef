import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createContext, DeviceError, Registry, SignalsUnsupportedError } from "../../kernel/mod.ts";
import { net } from "./mod.ts";
import { CONTROL, CPO, openRfc2217 } from "./rfc2217.ts";
import {
  COM_PORT_OPTION,
  DO,
  escapeIac,
  subnegotiation,
  TelnetDecoder,
  type TelnetEvent,
  verb,
  WILL,
} from "./telnet.ts";

/** A minimal RFC 2217 server: acknowledges every command, records what it saw. */
function fakeServer(opts: { refuseComPort?: boolean; toClient?: Uint8Array } = {}) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const events: TelnetEvent[] = [];
  const chunks: Uint8Array[] = [];
  const done = (async () => {
    const conn = await listener.accept();
    listener.close();
    const w = conn.writable.getWriter();
    const dec = new TelnetDecoder();
    let sentData = false;
    for await (const chunk of conn.readable) {
      const { data, events: evs } = dec.feed(chunk);
      if (data.length) chunks.push(data);
      for (const e of evs) {
        events.push(e);
        if (e.type === "verb" && e.verb === WILL && e.option === COM_PORT_OPTION) {
          await w.write(verb(opts.refuseComPort ? 254 : DO, COM_PORT_OPTION));
        }
        if (e.type === "sb") {
          const reply = new Uint8Array(e.payload);
          reply[0] += 100;
          await w.write(subnegotiation(COM_PORT_OPTION, reply));
          if (e.payload[0] === CPO.SET_CONTROL && opts.toClient && !sentData) {
            sentData = true;
            await w.write(escapeIac(opts.toClient));
          }
        }
      }
    }
  })();
  const port = (listener.addr as Deno.NetAddr).port;
  return { address: `rfc2217://127.0.0.1:${port}`, events, chunks, done };
}

const sb = (events: TelnetEvent[]) =>
  events.filter((e) => e.type === "sb").map((e) => [...(e as { payload: Uint8Array }).payload]);

Deno.test("rfc2217: negotiation, line setup, signals and IAC escaping both ways", async () => {
  const toClient = new Uint8Array(randomBytes(65536));
  toClient.fill(0xff, 100, 300); // long runs of IAC must survive
  const srv = fakeServer({ toClient });
  const port = await openRfc2217(srv.address, { baudRate: 74880 });
  try {
    assert.equal(port.baudRate, 74880);
    const reader = port.readable.getReader();
    const got: number[] = [];
    while (got.length < toClient.length) got.push(...(await reader.read()).value!);
    assert.deepEqual(new Uint8Array(got), toClient);
    reader.releaseLock();

    await port.setSignals({ dataTerminalReady: false, requestToSend: true });
    await port.setSignals({ dataTerminalReady: true, requestToSend: false });
    await port.setBaudRate(921600);
    const up = new Uint8Array(randomBytes(65536));
    up.fill(0xff, 0, 50);
    const w = port.writable.getWriter();
    await w.write(up);
    w.releaseLock();
    await port.setBaudRate(0x1ffff); // a rate whose encoding contains 0xFF
  } finally {
    await port.close();
  }
  await srv.done;
  const verbs = srv.events.filter((e) => e.type === "verb").map((e) => [
    (e as { verb: number }).verb,
    (e as { option: number }).option,
  ]);
  for (const v of [[WILL, 0], [DO, 0], [WILL, 3], [DO, 3], [WILL, 44]]) {
    assert.ok(verbs.some((x) => x[0] === v[0] && x[1] === v[1]), `sent ${v}`);
  }
  assert.deepEqual(sb(srv.events), [
    [CPO.SET_BAUDRATE, 0, 1, 0x24, 0x80], // 74880 = 0x12480
    [CPO.SET_DATASIZE, 8],
    [CPO.SET_PARITY, 1],
    [CPO.SET_STOPSIZE, 1],
    [CPO.SET_CONTROL, CONTROL.NO_FLOW_CONTROL],
    [CPO.SET_CONTROL, CONTROL.DTR_OFF],
    [CPO.SET_CONTROL, CONTROL.RTS_ON],
    [CPO.SET_CONTROL, CONTROL.DTR_ON],
    [CPO.SET_CONTROL, CONTROL.RTS_OFF],
    [CPO.SET_BAUDRATE, 0, 0x0e, 0x10, 0x00], // 921600
    [CPO.SET_BAUDRATE, 0, 1, 0xff, 0xff],
  ]);
  const received = new Uint8Array(srv.chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of srv.chunks) received.set(c, (off += c.length) - c.length);
  assert.equal(received.length, 65536);
  assert.equal(received[0], 0xff);
});

Deno.test("rfc2217: a server that refuses COM-PORT-OPTION gives a typed error", async () => {
  const srv = fakeServer({ refuseComPort: true });
  await assert.rejects(
    openRfc2217(srv.address),
    (e) => e instanceof DeviceError && /does not speak RFC 2217/.test(e.message),
  );
  await srv.done;
});

Deno.test("socket: raw TCP port echoes bytes; signals unsupported; refused connect typed", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const echo = (async () => {
    const conn = await listener.accept();
    listener.close();
    await conn.readable.pipeTo(conn.writable).catch(() => {});
  })();
  const registry = new Registry();
  await registry.use(net(), "net");
  const ctx = createContext();
  const addr = `socket://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`;
  const port = await registry.openTransport(ctx, "serial", addr, { baudRate: 115200 });
  const data = new Uint8Array(randomBytes(10000));
  const w = port.writable.getWriter();
  await w.write(data);
  const r = port.readable.getReader();
  const got: number[] = [];
  while (got.length < data.length) got.push(...(await r.read()).value!);
  assert.deepEqual(new Uint8Array(got), data);
  await assert.rejects(port.setSignals({ dataTerminalReady: true }), SignalsUnsupportedError);
  await port.setBaudRate(921600);
  assert.equal(port.baudRate, 921600);
  const pending = r.read();
  await port.close();
  assert.equal((await pending).done, true);
  await echo;
  await assert.rejects(
    registry.openTransport(ctx, "serial", addr),
    (e) => e instanceof DeviceError && e.code === "E_NET_CONNECT",
  );
});
