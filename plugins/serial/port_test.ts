import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { DeviceError } from "../../kernel/mod.ts";
import { openSerialPort } from "./port.ts";
import { openPty, ptyAvailable } from "./pty.ts";
import { E_SIGNALS_UNSUPPORTED, SignalsUnsupportedError } from "./diagnose.ts";
import { hasHupcl, is8N1 } from "./termios.ts";
import { readN, writeAll } from "../../tests/support/streams.ts";

const ignore = Deno.build.os !== "linux" || !ptyAvailable();
if (ignore) console.log("skipping serial port tests: no Linux pty available");

for (const baud of [921600, 2000000]) {
  Deno.test({
    name: `serial port: 1 MiB each way over a pty at ${baud} baud`,
    ignore,
    async fn() {
      const pty = openPty();
      const port = openSerialPort(pty.slavePath, { baudRate: baud });
      try {
        const settings = port.lineSettings();
        assert.equal(settings.ispeed, baud);
        assert.equal(settings.ospeed, baud);
        assert.ok(is8N1(settings), "raw 8N1");
        assert.equal(hasHupcl(settings), false, "HUPCL cleared");
        assert.equal(pty.lineSettings().ospeed, baud, "peer sees the same rate");
        const down = new Uint8Array(randomBytes(1 << 20));
        const up = new Uint8Array(randomBytes(1 << 20));
        const [atPort, atPeer] = await Promise.all([
          readN(port.readable, down.length),
          readN(pty.readable, up.length),
          writeAll(pty.writable, down),
          writeAll(port.writable, up),
        ]);
        assert.deepEqual(atPort, down);
        assert.deepEqual(atPeer, up);
      } finally {
        await port.close();
        await pty.close();
      }
    },
  });
}

Deno.test({
  name: "serial port: setBaudRate reaches the tty (74880, 115200)",
  ignore,
  async fn() {
    const pty = openPty();
    const port = openSerialPort(pty.slavePath);
    try {
      assert.equal(port.lineSettings().ospeed, 115200);
      await port.setBaudRate(74880);
      assert.equal(port.baudRate, 74880);
      assert.equal(port.lineSettings().ispeed, 74880);
      assert.equal(pty.lineSettings().ispeed, 74880);
      await port.setBaudRate(115200);
      assert.equal(port.lineSettings().ospeed, 115200);
      port.flush("both");
    } finally {
      await port.close();
      await pty.close();
    }
  },
});

Deno.test({
  name: "serial port: flush drops bytes waiting in the input queue",
  ignore,
  async fn() {
    const pty = openPty();
    const port = openSerialPort(pty.slavePath);
    try {
      await writeAll(pty.writable, new Uint8Array(1000).fill(0x55));
      // The pty moves bytes to the slave asynchronously: wait until all have arrived.
      for (let i = 0; i < 200 && port.inputWaiting() < 1000; i++) {
        await new Promise((r) => setTimeout(r, 5));
      }
      assert.equal(port.inputWaiting(), 1000);
      port.flush("input");
      assert.equal(port.inputWaiting(), 0);
      await writeAll(pty.writable, new Uint8Array([1, 2, 3]));
      assert.deepEqual(await readN(port.readable, 3), new Uint8Array([1, 2, 3]));
    } finally {
      await port.close();
      await pty.close();
    }
  },
});

Deno.test({
  name: "serial port: DTR/RTS on a pty fail with a typed error",
  ignore,
  async fn() {
    const pty = openPty();
    const port = openSerialPort(pty.slavePath);
    try {
      const err = await port.setSignals({ dataTerminalReady: false, requestToSend: true })
        .then(() => undefined, (e) => e);
      assert.ok(err instanceof SignalsUnsupportedError);
      assert.equal(err.code, E_SIGNALS_UNSUPPORTED);
      assert.match(err.message, /signals unsupported on this port/);
    } finally {
      await port.close();
      await pty.close();
    }
  },
});

/** Where each of `fds` points now (undefined when closed). */
function fdLinks(fds: readonly number[]): (string | undefined)[] {
  return fds.map((fd) => {
    try {
      return Deno.readLinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return undefined;
    }
  });
}

Deno.test({
  name: "serial port: close releases the tty and the wake pipe, even with a read pending",
  ignore,
  async fn() {
    const pty = openPty();
    const port = openSerialPort(pty.slavePath);
    const fds = port.descriptors;
    const open = fdLinks(fds);
    assert.equal(open[0], pty.slavePath);
    assert.match(open[1] ?? "", /^pipe:/);
    assert.equal(open[1], open[2], "both ends of one wake pipe");
    const reader = port.readable.getReader();
    const pending = reader.read();
    await new Promise((r) => setTimeout(r, 30));
    await port.close();
    assert.deepEqual(await pending, { value: undefined, done: true });
    // Closed, or reused by something else running in parallel: never still ours.
    fdLinks(fds).forEach((now, i) => assert.notEqual(now, open[i], `fd ${fds[i]} released`));
    // The port can be opened again at once: lock and exclusivity were released.
    const again = openSerialPort(pty.slavePath);
    await again.close();
    await pty.close();
  },
});

Deno.test({
  name: "serial port: a second open reports the port busy and who holds it",
  ignore,
  async fn() {
    const pty = openPty();
    const port = openSerialPort(pty.slavePath);
    try {
      const err = (() => {
        try {
          openSerialPort(pty.slavePath);
        } catch (e) {
          return e;
        }
      })();
      assert.ok(err instanceof DeviceError);
      assert.equal(err.code, "E_PORT_BUSY");
      assert.match(err.message, new RegExp(`held by pid ${Deno.pid}`));
    } finally {
      await port.close();
      await pty.close();
    }
  },
});

Deno.test({
  name: "serial port: a vanished device fails reads and writes with a DeviceError",
  ignore,
  async fn() {
    const pty = openPty();
    const port = openSerialPort(pty.slavePath);
    try {
      const reader = port.readable.getReader();
      const pending = reader.read();
      await pty.close(); // the slave now sees a hang-up, like an unplugged USB bridge
      await assert.rejects(pending, (e) => e instanceof DeviceError && e.code === "E_PORT_GONE");
      const w = port.writable.getWriter();
      await assert.rejects(w.write(new Uint8Array(100)), DeviceError);
    } finally {
      await port.close();
    }
  },
});

Deno.test({
  name: "serial port: unplugged mid-write, the write fails instead of reporting success",
  ignore,
  async fn() {
    const pty = openPty();
    const port = openSerialPort(pty.slavePath);
    try {
      const w = port.writable.getWriter();
      // Nobody reads the other end, so this blocks once the tty buffers are full.
      const big = w.write(new Uint8Array(1 << 20));
      let settled = false;
      big.then(() => settled = true, () => settled = true);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(settled, false, "a 1 MiB write cannot complete with no reader");
      await pty.close();
      await assert.rejects(big, (e) => e instanceof DeviceError && e.code === "E_PORT_GONE");
    } finally {
      await port.close();
    }
  },
});

Deno.test({
  name: "serial port: missing path and non-tty give typed errors",
  ignore,
  fn() {
    assert.throws(
      () => openSerialPort("/dev/does-not-exist-df"),
      (e) => e instanceof DeviceError && e.code === "E_PORT_NOT_FOUND",
    );
    assert.throws(() => openSerialPort("/dev/null"), /is not a serial port/);
  },
});
