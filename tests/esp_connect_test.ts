/**
 * ESP connect paths on the simulator: every chip, flash size detection, writes above the
 * ROM's 2 MB default, ports without modem lines, and the flasher stub.
 */
import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import {
  createContext,
  flash,
  type FlashResult,
  Registry,
  type SerialPortLike,
  TimeoutError,
  VirtualClock,
} from "../kernel/mod.ts";
import { formats } from "../plugins/formats/mod.ts";
import { hashes } from "../plugins/hash/mod.ts";
import { espSim, EspSimBank } from "../sim/esp/plugin.ts";
import { espTargets } from "../targets/esp/plugin.ts";

async function setup() {
  const bank = new EspSimBank();
  const registry = new Registry();
  await registry.use(hashes());
  await registry.use(formats());
  await registry.use(espSim(bank));
  // A transport whose ports cannot drive DTR/RTS (like a raw TCP bridge).
  await registry.use((host) =>
    host.registerTransport({
      scheme: "nolines",
      kind: "serial",
      async open(ctx, address, options) {
        const port = await bank.open(ctx, address.replace(/^nolines:/, "sim:"), options);
        const wrapped: SerialPortLike = {
          get readable() {
            return port.readable;
          },
          get writable() {
            return port.writable;
          },
          get baudRate() {
            return port.baudRate;
          },
          setSignals: () => Promise.reject(new Error("this port has no modem lines")),
          setBaudRate: (b) => port.setBaudRate(b),
          getInfo: () => port.getInfo(),
          close: () => port.close(),
        };
        return wrapped;
      },
    })
  );
  await registry.use(espTargets());
  return { bank, registry };
}

function run(
  registry: Registry,
  target: string,
  port: string,
  bytes: Uint8Array,
  address: number,
  options: Record<string, unknown> = {},
  baud?: number,
): Promise<FlashResult> {
  return flash(registry, createContext({ clock: new VirtualClock() }), {
    target,
    inputs: [{ file: "app.bin", address, bytes, format: "bin" }],
    connect: { port, options, baud },
  });
}

const data = (n: number, k = 3) => new Uint8Array(n).map((_, i) => (i * k + (i >> 9)) & 0xff);

Deno.test("every ESP32-family target detects its chip and flashes", async () => {
  const { bank, registry } = await setup();
  const names: Record<string, string> = {
    esp32: "ESP32",
    esp32s2: "ESP32-S2",
    esp32s3: "ESP32-S3",
    esp32c2: "ESP32-C2",
    esp32c3: "ESP32-C3",
    esp32c6: "ESP32-C6",
    esp32h2: "ESP32-H2",
  };
  for (const [target, name] of Object.entries(names)) {
    const app = data(9000, target.length);
    const r = await run(registry, target, `sim:${target}`, app, 0x10000, {}, 921600);
    equal(r.device.details?.baud, "921600");
    equal(r.device.chip, name);
    equal(r.plan.totals.write, 3);
    const dev = (await bank.device(`sim:${target}`))!;
    deepEqual(dev.flash.bytes.subarray(0x10000, 0x10000 + app.length), app);
  }
});

Deno.test("flash size comes from the JEDEC id; writes above 2 MB work", async () => {
  const { bank, registry } = await setup();
  const app = data(20000);
  const r = await run(registry, "esp32c3", "sim:esp32c3?flash=16MB", app, 0xc00000);
  equal(r.device.details?.flash, "16 MB");
  const dev = await bank.device("sim:esp32c3?flash=16MB");
  deepEqual(dev.flash.bytes.subarray(0xc00000, 0xc00000 + app.length), app);
  // The ROM needs SPI_ATTACH and then SPI_SET_PARAMS before any flash command.
  const ops = dev.history.map((h) => h.op);
  const first = (op: number) => ops.indexOf(op);
  ok(first(0x0d) >= 0 && first(0x0d) < first(0x0b), "SPI_ATTACH before SPI_SET_PARAMS");
  ok(first(0x0b) < first(0x13) && first(0x0b) < first(0x10), "params before MD5 and writes");
  ok(dev.history.every((h) => h.status === 0), "no command failed");
});

Deno.test("a port without modem lines skips the reset and just syncs", async () => {
  const { bank, registry } = await setup();
  const app = data(5000);
  const r = await run(registry, "esp32c3", "nolines:esp32c3?boot=download", app, 0x20000);
  equal(r.plan.totals.write, 2);
  const dev = await bank.device("sim:esp32c3?boot=download");
  deepEqual(dev.flash.bytes.subarray(0x20000, 0x20000 + app.length), app);
});

Deno.test("a chip that is not in download mode times out with a hint", async () => {
  const { registry } = await setup();
  await rejects(run(registry, "esp32c3", "nolines:esp32c3", data(100), 0x20000), (e) => {
    ok(e instanceof TimeoutError, String(e));
    ok(/download mode/.test(e.hint ?? ""), e.hint ?? "no hint");
    return true;
  });
});

Deno.test("the flasher stub writes the same bytes, and its MD5s drive the next diff", async () => {
  const { bank, registry } = await setup();
  const app = data(300 * 1024, 5);
  const first = await run(registry, "esp32c3", "sim:esp32c3", app, 0x10000, { stub: true }, 921600);
  equal(first.device.details?.loader, "stub");
  const dev = await bank.device("sim:esp32c3");
  deepEqual(dev.flash.bytes.subarray(0x10000, 0x10000 + app.length), app);
  const edited = app.slice();
  edited[123456] ^= 0xff;
  const second = await run(registry, "esp32c3", "sim:esp32c3", edited, 0x10000, { stub: true });
  equal(second.plan.totals.write, 1);
  deepEqual(dev.flash.bytes.subarray(0x10000, 0x10000 + app.length), edited);
  // Three separate runs in one stub session: BEGIN travels with each run's first block and
  // one FLASH_DEFL_END closes the last.
  const scattered = edited.slice();
  for (const at of [5000, 150_000, 290_000]) scattered[at] ^= 0x11;
  const before = dev.history.length;
  const third = await run(registry, "esp32c3", "sim:esp32c3", scattered, 0x10000, { stub: true });
  equal(third.plan.runs.length, 3);
  deepEqual(dev.flash.bytes.subarray(0x10000, 0x10000 + app.length), scattered);
  const ops = dev.history.slice(before).map((h) => h.op);
  equal(ops.filter((op) => op === 0x10).length, 3);
  equal(ops.filter((op) => op === 0x12).length, 1);
  ok(ops.lastIndexOf(0x12) > ops.lastIndexOf(0x11), "END after the last block");
  const rom = await run(registry, "esp32c3", "sim:esp32c3", app, 0x10000, { stub: false });
  equal(rom.device.details?.loader, "ROM");
  deepEqual(dev.flash.bytes.subarray(0x10000, 0x10000 + app.length), app);
  ok(dev.history.every((h) => h.status === 0), "no command failed");
  ok(dev.history.some((h) => h.loader === "stub" && h.op === 0x0b), "the stub was told the size");
});

Deno.test("erase empties whole sectors; monitor hands over the console of the running app", async () => {
  const { bank, registry } = await setup();
  const app = data(16384, 7);
  await run(registry, "esp32c3", "sim:esp32c3", app, 0x10000);
  const ctx = createContext({ clock: new VirtualClock() });
  const device = await registry.target("esp32c3").connect(ctx, { port: "sim:esp32c3" });
  await device.erase!(ctx, [{ start: 0x11000, end: 0x13000 }]);
  const dev = await bank.device("sim:esp32c3");
  ok(dev.flash.bytes.subarray(0x11000, 0x13000).every((b) => b === 0xff));
  deepEqual(dev.flash.bytes.subarray(0x10000, 0x11000), app.subarray(0, 0x1000));
  deepEqual(dev.flash.bytes.subarray(0x13000, 0x14000), app.subarray(0x3000, 0x4000));
  const port = await device.monitor!(ctx);
  equal(port.baudRate, 115200);
  const reader = port.readable.getReader();
  let text = "";
  while (!/boot:/.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  ok(/boot:/.test(text), text);
  equal(dev.mode, "app");
  await device.close();
});

Deno.test("an ESP32 (no GET_SECURITY_INFO) found where an ESP32-C3 was asked for", async () => {
  const { registry } = await setup();
  await rejects(run(registry, "esp32c3", "sim:esp32", data(100), 0x10000), (e: Error) => {
    ok(/esp32c3/.test(e.message) && /ESP32\b/.test(e.message), e.message);
    return true;
  });
});

Deno.test("incompressible data goes raw (FLASH_BEGIN/FLASH_DATA) through ROM and stub alike", async () => {
  const { bank, registry } = await setup();
  let x = 99;
  const noise = new Uint8Array(72 * 1024).map(() =>
    (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24
  );
  for (const stub of [false, true]) {
    const at = stub ? 0x40000 : 0x20000;
    const r = await run(registry, "esp32s3", "sim:esp32s3", noise, at, { stub }, 921600);
    equal(r.device.details?.loader, stub ? "stub" : "ROM");
    const dev = await bank.device("sim:esp32s3");
    deepEqual(dev.flash.bytes.subarray(at, at + noise.length), noise);
    ok(dev.history.some((h) => h.op === 0x03), "FLASH_DATA was used");
  }
});

Deno.test("--partial keep reads the rest of a partly covered sector back through the stub", async () => {
  const { bank, registry } = await setup();
  const dev = await bank.device("sim:esp32c6");
  const old = data(8192, 11);
  dev.flash.bytes.set(old, 0x30000);
  const patch = data(100, 17);
  const r = await flash(registry, createContext({ clock: new VirtualClock() }), {
    target: "esp32c6",
    inputs: [{ file: "patch.bin", address: 0x30100, bytes: patch, format: "bin" }],
    connect: { port: "sim:esp32c6", baud: 921600 },
    partialBlocks: "keep",
    force: true, // off a sector boundary on purpose
  });
  equal(r.plan.totals.write, 1);
  const expected = old.slice(0, 4096);
  expected.set(patch, 0x100);
  deepEqual(dev.flash.bytes.subarray(0x30000, 0x31000), expected);
  deepEqual(dev.flash.bytes.subarray(0x31000, 0x32000), old.subarray(4096));
});
