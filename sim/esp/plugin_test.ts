import assert from "node:assert/strict";
import { createContext, DeviceError, Registry, UsageError } from "../../kernel/mod.ts";
import { espSim, EspSimBank, parseSimAddress } from "./plugin.ts";
import { dataBlock, request, Wire, words } from "./testing.ts";

Deno.test("sim: addresses name the chip and options", () => {
  const a = parseSimAddress("sim:esp32-c3?flash=8MB&state=/tmp/x.bin&boot=download");
  assert.equal(a.chip.id, "esp32c3");
  assert.equal(a.flashSize, 8 << 20);
  assert.equal(a.statePath, "/tmp/x.bin");
  assert.equal(a.resetCircuit, "usb-jtag");
  assert.ok(a.bootDownload);
  assert.equal(parseSimAddress("sim:", "ESP32").chip.id, "esp32");
  assert.equal(parseSimAddress("sim:esp32").resetCircuit, "classic");
  assert.throws(() => parseSimAddress("sim:esp8266"), UsageError);
  assert.throws(() => parseSimAddress("sim:esp32?flash=3MB"), UsageError);
  assert.throws(() => parseSimAddress("sim:esp32?usb=jtag"), UsageError);
  assert.throws(() => parseSimAddress("sim:esp32?stuck=zz"), UsageError);
});

Deno.test("the plugin registers sim: serial and keeps one device per address", async () => {
  const bank = new EspSimBank();
  const reg = new Registry();
  await reg.use(espSim(bank));
  const ctx = createContext();
  const p1 = await reg.openTransport(ctx, "serial", "sim:esp32s2");
  await assert.rejects(reg.openTransport(ctx, "serial", "sim:esp32s2"), DeviceError);
  await p1.close();
  const p2 = await reg.openTransport(ctx, "serial", "sim:esp32s2");
  await p2.close();
  assert.equal(bank.devices().length, 1);
});

Deno.test("state= persists flash across banks (separate processes)", async () => {
  const path = await Deno.makeTempFile({ suffix: ".bin" });
  try {
    await Deno.remove(path);
    const w = await Wire.open(`sim:esp32c3?state=${path}&flash=1MB`);
    await w.resetToDownload();
    await w.sync();
    await w.command(0x0d, words(0, 0));
    await w.command(0x02, words(0x1000, 1, 0x1000, 0x5000, 0));
    const block = new Uint8Array(0x1000).fill(0x42);
    const [data, chk] = dataBlock(block, 0);
    await w.command(0x03, data, chk);
    await w.close();
    assert.equal((await Deno.stat(path)).size, 1 << 20);
    const again = await new EspSimBank().device(`sim:esp32c3?state=${path}&flash=1MB`);
    assert.deepEqual(again.flash.read(0x5000, 0x1000), block);
  } finally {
    await Deno.remove(path).catch(() => {});
  }
});

Deno.test("failure injection: stuck cells survive programming; dropped replies", async () => {
  const w = await Wire.open("sim:esp32?stuck=0x2001&drop=1");
  const dev = w.port.device;
  dev.flash.program(0x2000, Uint8Array.from([0, 0, 0]));
  assert.deepEqual(dev.flash.read(0x2000, 3), Uint8Array.from([0, 0xff, 0]));
  await w.resetToDownload();
  await w.send(request(0x08, Uint8Array.from([7, 7, 0x12, 0x20, ...Array(32).fill(0x55)])));
  await w.idle(20);
  assert.equal(w.frames.length, 0, "the first reply (a burst of 8) is lost");
  assert.equal((await w.sync()).length, 8, "the next SYNC is answered");
  await w.close();
});

Deno.test("a device reopened under a new clock does not inherit old busy time", async () => {
  const bank = new EspSimBank();
  const w1 = await Wire.open("sim:esp32c3", bank);
  await w1.resetToDownload();
  await w1.sync();
  await w1.idle(5000); // the first run's clock is now well ahead...
  await w1.command(0x0a, words(0x40001000)); // ...and so is the chip's last busy time
  await w1.close();
  const w2 = await Wire.open("sim:esp32c3", bank);
  const r = await w2.command(0x0a, words(0x40001000));
  assert.equal(r.value, 0x1b31506f);
  assert.ok(w2.clock.now() < 10, `answered at ${w2.clock.now()} ms`);
  await w2.close();
});
