import { deepEqual, equal, ok, rejects, throws } from "node:assert/strict";
import { createContext, DeviceError, Registry, UsageError } from "../../kernel/mod.ts";
import { FakeGdbServer } from "./fake_server_test_util.ts";
import {
  bmpSerialAddress,
  gdbTransport,
  isGdbProbe,
  openGdbCortexM,
  parseGdbAddress,
} from "./mod.ts";

const ctx = createContext();

Deno.test("gdb:// and bmp: addresses", () => {
  deepEqual(parseGdbAddress("gdb://127.0.0.1:3333"), { hostname: "127.0.0.1", port: 3333 });
  deepEqual(parseGdbAddress("gdb://:1234"), { hostname: "127.0.0.1", port: 1234 });
  deepEqual(parseGdbAddress("gdb://[::1]:2331"), { hostname: "::1", port: 2331 });
  throws(() => parseGdbAddress("gdb://host"), UsageError);
  throws(() => parseGdbAddress("gdb://host:99999"), UsageError);
  equal(bmpSerialAddress("bmp:/dev/ttyACM0"), "serial:/dev/ttyACM0");
  ok(isGdbProbe("gdb://x:1") && isGdbProbe("bmp:/dev/ttyACM0") && !isGdbProbe("sim:microbit-v1"));
});

Deno.test("--probe gdb://HOST:PORT reaches a gdbserver over TCP through the registry", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const fake = new FakeGdbServer();
  fake.load(0x20000000, Uint8Array.of(1, 2, 3, 4));
  const served = (async () => {
    const conn = await listener.accept();
    await Promise.all([
      conn.readable.pipeTo(fake.stream.writable).catch(() => {}),
      fake.stream.readable.pipeTo(conn.writable).catch(() => {}),
    ]);
  })();
  const registry = new Registry();
  await registry.use(gdbTransport(), "gdb");
  const d = await openGdbCortexM(ctx, registry, `gdb://127.0.0.1:${port}`);
  equal(d.description, `GDB gdb://127.0.0.1:${port}`);
  deepEqual(await d.readMemory(ctx, 0x20000000, 4), Uint8Array.of(1, 2, 3, 4));
  await d.close();
  await fake.stream.close();
  listener.close();
  await served;
});

Deno.test("a gdbserver that is not listening gives a DeviceError with a hint", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const registry = new Registry();
  await registry.use(gdbTransport(), "gdb");
  await rejects(() => openGdbCortexM(ctx, registry, `gdb://127.0.0.1:${port}`), DeviceError);
});

Deno.test("bmp: opens the serial port through the host, scans and attaches target 1", async () => {
  const fake = new FakeGdbServer();
  const opened: string[] = [];
  const registry = new Registry();
  await registry.use(gdbTransport(), "gdb");
  await registry.use((host) =>
    host.registerTransport({
      scheme: "serial",
      kind: "serial",
      open: (_ctx, address) => {
        opened.push(address);
        return Promise.resolve({
          ...fake.stream,
          baudRate: 115200,
          setSignals: () => Promise.resolve(),
          setBaudRate: () => Promise.resolve(),
          getInfo: () => ({ path: address }),
        });
      },
    }), "fake-serial");
  const d = await openGdbCortexM(ctx, registry, "bmp:/dev/ttyACM0");
  deepEqual(opened, ["serial:/dev/ttyACM0"]);
  const scan = fake.received.findIndex((p) => p === "qRcmd,7377645f7363616e"); // swd_scan
  const attach = fake.received.indexOf("vAttach;1");
  ok(scan > 0 && attach > scan, fake.received.join(" "));
  await d.kill(ctx);
  ok(fake.killed);
});
