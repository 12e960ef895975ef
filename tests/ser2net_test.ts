import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createContext, Registry, SignalsUnsupportedError } from "../kernel/mod.ts";
import { net } from "../plugins/net/mod.ts";
import { openPty } from "../plugins/serial/pty.ts";
import { ser2netMissing, startSer2net } from "./ser2net.ts";
import { readN, writeAll as send } from "./support/streams.ts";

const missing = ser2netMissing();
if (missing) console.log(`skipping ser2net tests: ${missing}`);

Deno.test({
  name: "ser2net: bytes and baud changes flow through RFC 2217 to a pty; DTR/RTS keep it intact",
  ignore: !!missing,
  async fn() {
    const pty = openPty();
    const server = await startSer2net(pty.slavePath);
    const registry = new Registry();
    await registry.use(net(), "net");
    try {
      const port = await registry.openTransport(createContext(), "serial", server.address, {
        baudRate: 921600,
      });
      try {
        assert.equal(pty.lineSettings().ospeed, 921600, "ser2net applied SET-BAUDRATE");
        await port.setSignals({ dataTerminalReady: false, requestToSend: true });
        await port.setSignals({ dataTerminalReady: true, requestToSend: false });
        const down = new Uint8Array(randomBytes(256 * 1024));
        const up = new Uint8Array(randomBytes(256 * 1024));
        down.fill(0xff, 0, 64); // IAC runs both ways
        up.fill(0xff, 1000, 1100);
        const [atClient, atDevice] = await Promise.all([
          readN(port.readable, down.length),
          readN(pty.readable, up.length),
          send(pty.writable, down),
          send(port.writable, up),
        ]);
        assert.deepEqual(atClient, down);
        assert.deepEqual(atDevice, up);
        await port.setBaudRate(74880);
        assert.equal(pty.lineSettings().ispeed, 74880);
        await port.setBaudRate(115200);
        assert.equal(pty.lineSettings().ospeed, 115200);
      } finally {
        await port.close();
      }
    } finally {
      await server.stop();
      await pty.close();
    }
  },
});

Deno.test({
  name: "ser2net: a raw tcp accepter works as socket://, signals refused with a typed error",
  ignore: !!missing,
  async fn() {
    const pty = openPty();
    const server = await startSer2net(pty.slavePath, 115200, true);
    const registry = new Registry();
    await registry.use(net(), "net");
    try {
      const port = await registry.openTransport(createContext(), "serial", server.address);
      try {
        await assert.rejects(port.setSignals({ dataTerminalReady: true }), SignalsUnsupportedError);
        // No handshake on a raw socket: one byte through proves ser2net has the tty open
        // (bytes the device sent before that would be flushed by ser2net's open).
        await send(port.writable, new Uint8Array([0x42]));
        assert.deepEqual(await readN(pty.readable, 1), new Uint8Array([0x42]));
        const down = new Uint8Array(randomBytes(64 * 1024));
        const up = new Uint8Array(randomBytes(64 * 1024));
        const [atClient, atDevice] = await Promise.all([
          readN(port.readable, down.length),
          readN(pty.readable, up.length),
          send(pty.writable, down),
          send(port.writable, up),
        ]);
        assert.deepEqual(atClient, down);
        assert.deepEqual(atDevice, up);
      } finally {
        await port.close();
      }
    } finally {
      await server.stop();
      await pty.close();
    }
  },
});
