/** The ROM loader at the byte level: replies, status bytes, errors and erase timing. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { rangeEraseMs } from "./timing.ts";
import { dataBlock, Wire, words } from "./testing.ts";

Deno.test("download-mode reset prints the banner; SYNC is answered 8 times", async () => {
  const w = await Wire.open("sim:esp32");
  await w.resetToDownload();
  assert.match(w.text, /ets Jun {2}8 2016[\s\S]*boot:0x3 \(DOWNLOAD_BOOT/);
  const replies = await w.sync();
  assert.equal(replies.length, 8);
  for (const r of replies) {
    assert.deepEqual(r.raw, Uint8Array.from([1, 8, 4, 0, 7, 7, 0x12, 0x20, 0, 0, 0, 0]));
  }
  await w.close();
});

Deno.test("the ROM ignores commands until it has seen SYNC", async () => {
  const w = await Wire.open("sim:esp32c3");
  await w.resetToDownload();
  await w.send(Uint8Array.from([0, 0x0a, 4, 0, 0, 0, 0, 0, 0, 0x10, 0, 0x40]));
  await w.idle(50);
  assert.equal(w.frames.length, 0);
  await w.sync();
  const r = await w.command(0x0a, words(0x40001000));
  assert.equal(r.value, 0x1b31506f);
  assert.deepEqual(r.data, Uint8Array.from([0, 0, 0, 0]));
  await w.close();
});

Deno.test("no reset: a running app does not answer", async () => {
  const w = await Wire.open("sim:esp32s3");
  await w.send(Uint8Array.from([0, 8, 0, 0, 0, 0, 0, 0]));
  await w.idle(50);
  assert.equal(w.frames.length, 0);
  await w.close();
});

Deno.test("GET_SECURITY_INFO: 20 bytes on C3, 12 on S2, unsupported on ESP32", async () => {
  const c3 = await Wire.open("sim:esp32c3");
  await c3.resetToDownload();
  await c3.sync();
  const r = await c3.command(0x14);
  assert.equal(r.data.length, 24);
  assert.equal(new DataView(r.data.buffer, r.data.byteOffset).getUint32(12, true), 5);
  await c3.close();

  const s2 = await Wire.open("sim:esp32s2");
  await s2.resetToDownload();
  await s2.sync();
  assert.equal((await s2.command(0x14)).data.length, 16);
  await s2.close();

  const e = await Wire.open("sim:esp32");
  await e.resetToDownload();
  await e.sync();
  const from = e.frames.length;
  await e.send(Uint8Array.from([0, 0x14, 0, 0, 0, 0, 0, 0]));
  await e.until(() => e.frames.length - from >= 8);
  for (const f of e.frames.slice(from)) {
    assert.notEqual(f.op, 0x14);
    assert.deepEqual(f.data, Uint8Array.from([1, 5, 0, 0]));
  }
  await e.close();
});

Deno.test("ROM flash write: attach first, erase at BEGIN, checksum errors, 32-char MD5", async () => {
  const w = await Wire.open("sim:esp32c3");
  await w.resetToDownload();
  await w.sync();
  const begin = words(0x10000, 1, 0x1000, 0x20000, 0);
  assert.deepEqual((await w.command(0x02, begin)).data, Uint8Array.from([1, 8, 0, 0]));
  assert.deepEqual((await w.command(0x0d, words(0, 0))).data, Uint8Array.from([0, 0, 0, 0]));
  const dev = w.port.device;
  dev.flash.program(0x20000, new Uint8Array(0x10000)); // old contents: zeros
  const t0 = w.clock.now();
  assert.deepEqual((await w.command(0x02, begin)).data, Uint8Array.from([0, 0, 0, 0]));
  assert.ok(w.clock.now() - t0 >= rangeEraseMs(0x20, 16), "erase took modelled time");
  assert.ok(dev.flash.bytes.subarray(0x20000, 0x30000).every((b) => b === 0xff));

  const block = Uint8Array.from({ length: 0x1000 }, (_, i) => (i * 7) & 0xff);
  const [data, chk] = dataBlock(block, 0);
  const bad = await w.command(0x03, data, chk ^ 1);
  assert.deepEqual(bad.data, Uint8Array.from([1, 7, 0, 0]), "bad checksum → 0x07");
  assert.deepEqual((await w.command(0x03, data, chk)).data, Uint8Array.from([0, 0, 0, 0]));
  assert.deepEqual(dev.flash.bytes.subarray(0x20000, 0x21000), block);

  const md5 = await w.command(0x13, words(0x20000, 0x1000, 0, 0));
  assert.equal(md5.raw.length, 44);
  const want = createHash("md5").update(block).digest("hex");
  assert.equal(new TextDecoder().decode(md5.data.subarray(0, 32)), want);
  assert.deepEqual(md5.data.subarray(32), Uint8Array.from([0, 0, 0, 0]));
  await w.close();
});

Deno.test("ROM without SPI_SET_PARAMS assumes 2 MB; writes without erase AND into flash", async () => {
  const w = await Wire.open("sim:esp32c3");
  await w.resetToDownload();
  await w.sync();
  await w.command(0x0d, words(0, 0));
  const past = await w.command(0x13, words(0x200000, 0x1000, 0, 0));
  assert.deepEqual(past.data.subarray(-4), Uint8Array.from([1, 9, 0, 0]));
  await w.command(0x0b, words(0, 4 << 20, 0x10000, 0x1000, 0x100, 0xffff));
  const ok = await w.command(0x13, words(0x200000, 0x1000, 0, 0));
  assert.deepEqual(ok.data.subarray(-4), Uint8Array.from([0, 0, 0, 0]));

  // erase_size 0: nothing is erased, so programming ANDs with what is there.
  const dev = w.port.device;
  dev.flash.program(0x3000, Uint8Array.from([0x0f, 0xf0]));
  await w.command(0x02, words(0, 1, 2, 0x3000, 0));
  const [data, chk] = dataBlock(Uint8Array.from([0x3c, 0x3c]), 0);
  await w.command(0x03, data, chk);
  assert.deepEqual(dev.flash.read(0x3000, 2), Uint8Array.from([0x0c, 0x30]));
  await w.close();
});

Deno.test("CHANGE_BAUDRATE: reply at the old rate, then only the new rate works", async () => {
  const w = await Wire.open("sim:esp32c6");
  await w.resetToDownload();
  await w.sync();
  const r = await w.command(0x0f, words(460800, 0));
  assert.deepEqual(r.data, Uint8Array.from([0, 0, 0, 0]));
  const before = w.frames.length;
  await w.send(Uint8Array.from([0, 0x0a, 4, 0, 0, 0, 0, 0, 0, 0x10, 0, 0x40]));
  await w.idle(50);
  assert.equal(w.frames.length, before, "old host rate: the chip sees noise");
  await w.port.setBaudRate(460800);
  assert.equal((await w.command(0x0a, words(0x40001000))).value, 0x2ce0806f);
  await w.close();
});

Deno.test("MEM_END to an address outside uploaded RAM crashes the chip", async () => {
  const w = await Wire.open("sim:esp32");
  await w.resetToDownload();
  await w.sync();
  await w.command(0x05, words(4, 1, 0x1800, 0x40080000));
  const [data, chk] = dataBlock(Uint8Array.from([1, 2, 3, 4]), 0);
  assert.deepEqual((await w.command(0x07, data, chk)).data, Uint8Array.from([0, 0, 0, 0]));
  await w.command(0x06, words(0, 0x40090000));
  await w.until(() => w.text.includes("Guru Meditation"));
  assert.equal(w.port.device.mode, "crashed");
  await w.close();
});

Deno.test("stub-only commands are unsupported in the ROM", async () => {
  const w = await Wire.open("sim:esp32s3");
  await w.resetToDownload();
  await w.sync();
  const from = w.frames.length;
  await w.send(Uint8Array.from([0, 0xd1, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0]));
  await w.until(() => w.frames.length - from >= 8);
  assert.ok(w.frames.slice(from).every((f) => f.op === 0 && f.data[0] === 1 && f.data[1] === 5));
  await w.close();
});

Deno.test("FLASH_END(1) in the ROM runs the app; the loader stops answering", async () => {
  const w = await Wire.open("sim:esp32c3");
  await w.resetToDownload();
  await w.sync();
  await w.command(0x0d, words(0, 0));
  await w.command(0x02, words(0, 0, 0x400, 0, 0));
  assert.deepEqual((await w.command(0x04, words(1))).data, Uint8Array.from([0, 0, 0, 0]));
  await w.until(() => w.port.device.mode === "app");
  const before = w.frames.length;
  await w.send(Uint8Array.from([0, 0x0a, 4, 0, 0, 0, 0, 0, 0, 0x10, 0, 0x40]));
  await w.idle(50);
  assert.equal(w.frames.length, before);
  await w.close();
});
