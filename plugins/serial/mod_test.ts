import assert from "node:assert/strict";
import { createContext, Registry, UsageError } from "../../kernel/mod.ts";
import { parseSerialAddress, serial } from "./mod.ts";
import { openPty, ptyAvailable } from "./pty.ts";

Deno.test("serial addresses: paths, serial: prefix, auto and ?baud=", () => {
  assert.deepEqual(parseSerialAddress("/dev/ttyUSB0"), { path: "/dev/ttyUSB0", baud: undefined });
  assert.deepEqual(parseSerialAddress("serial:/dev/ttyACM0?baud=921600"), {
    path: "/dev/ttyACM0",
    baud: 921600,
  });
  assert.deepEqual(parseSerialAddress("serial:///dev/ttyS0").path, "/dev/ttyS0");
  assert.equal(parseSerialAddress("serial:").path, "auto");
  assert.equal(parseSerialAddress("serial:auto").path, "auto");
  assert.throws(() => parseSerialAddress("serial:/dev/x?baud=fast"), UsageError);
});

Deno.test({
  name: "serial plugin: a device path opens through the registry as a SerialPortLike",
  ignore: Deno.build.os !== "linux" || !ptyAvailable(),
  async fn() {
    const registry = new Registry();
    await registry.use(serial(), "serial");
    const pty = openPty();
    const ctx = createContext();
    for (const address of [pty.slavePath, `serial:${pty.slavePath}`]) {
      const port = await registry.openTransport(ctx, "serial", address, { baudRate: 74880 });
      try {
        assert.equal(port.baudRate, 74880);
        assert.equal(port.getInfo().path, pty.slavePath);
        assert.equal(pty.lineSettings().ospeed, 74880);
        const w = port.writable.getWriter();
        await w.write(new TextEncoder().encode("hi\n"));
        w.releaseLock();
        const r = pty.readable.getReader();
        const { value } = await r.read();
        r.releaseLock();
        assert.equal(new TextDecoder().decode(value), "hi\n");
      } finally {
        await port.close();
      }
    }
    await pty.close();
  },
});
