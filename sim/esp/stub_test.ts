/** The flasher stub at the byte level (after the MEM_* upload shortcut). */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { deflateSync } from "node:zlib";
import { ESP_TIMING, lineMs } from "./timing.ts";
import { dataBlock, request, Wire, words } from "./testing.ts";

const OK2 = Uint8Array.from([0, 0]);

/** Resets, syncs and "uploads a stub": any bytes, with the entry inside them. */
async function withStub(address: string): Promise<Wire> {
  const w = await Wire.open(address);
  await w.resetToDownload();
  await w.sync();
  await w.command(0x05, words(64, 1, 0x1800, 0x40380000));
  const [data, chk] = dataBlock(new Uint8Array(64).fill(0x13), 0);
  await w.command(0x07, data, chk);
  const from = w.frames.length;
  const end = await w.command(0x06, words(0, 0x40380010));
  assert.deepEqual(end.data, Uint8Array.from([0, 0, 0, 0]), "the ROM acks MEM_END");
  await w.until(() => w.frames.slice(from).some((f) => f.raw.length === 4));
  const ohai = w.frames.slice(from).find((f) => f.raw.length === 4)!;
  assert.equal(new TextDecoder().decode(ohai.raw), "OHAI");
  return w;
}

Deno.test("stub replies carry 2 status bytes; SYNC is answered 8 times with value 0", async () => {
  const w = await withStub("sim:esp32c3");
  assert.equal(w.port.device.mode, "stub");
  const syncs = await w.sync();
  await w.idle(20);
  assert.equal(w.frames.length - w.frames.indexOf(syncs[0]), 8);
  for (const r of syncs) assert.deepEqual(r.raw, Uint8Array.from([1, 8, 2, 0, 0, 0, 0, 0, 0, 0]));
  const reg = await w.command(0x0a, words(0x40001000));
  assert.equal(reg.raw.length, 10);
  assert.deepEqual(reg.data, OK2);
  assert.deepEqual((await w.command(0x55)).data, Uint8Array.from([0xc3, 0]), "invalid command");
  const lie = request(0x0a, words(0x40001000));
  lie[2] = 8; // header claims 8 data bytes, 4 follow
  const from = w.frames.length;
  await w.send(lie);
  await w.until(() => w.frames.length > from);
  assert.deepEqual(w.frames[from].data, Uint8Array.from([0xc0, 0]), "size mismatch → 0xC0");
  await w.close();
});

Deno.test("stub compressed write in blocks, 16-byte MD5, checksum and length errors", async () => {
  const w = await withStub("sim:esp32");
  const dev = w.port.device;
  dev.flash.program(0x10000, new Uint8Array(0x2000)); // non-blank: must be erased first
  const img = Uint8Array.from({ length: 50000 }, (_, i) => (i * 31) ^ (i >> 8));
  const z = new Uint8Array(deflateSync(img, { level: 9 }));
  const bs = 0x400;
  const blocks = Math.ceil(z.length / bs);
  assert.deepEqual((await w.command(0x10, words(img.length, blocks, bs, 0x10000))).data, OK2);
  for (let seq = 0; seq < blocks; seq++) {
    const [data, chk] = dataBlock(z.subarray(seq * bs, (seq + 1) * bs), seq);
    if (seq === 1) {
      const bad = await w.command(0x11, data, chk ^ 0x5a);
      assert.deepEqual(bad.data, Uint8Array.from([0xc1, 0]), "bad checksum → 0xC1");
    }
    assert.deepEqual((await w.command(0x11, data, chk)).data, OK2);
  }
  assert.deepEqual((await w.command(0x12, words(1))).data, OK2);
  assert.deepEqual(dev.flash.bytes.subarray(0x10000, 0x10000 + img.length), img);
  assert.equal(dev.mode, "stub", "DEFL_END(1) keeps the stub running");

  const md5 = await w.command(0x13, words(0x10000, img.length, 0, 0));
  assert.equal(md5.raw.length, 26);
  assert.deepEqual(
    md5.data.subarray(0, 16),
    new Uint8Array(createHash("md5").update(img).digest()),
  );
  assert.deepEqual((await w.command(0x04, words(1, 2))).data, Uint8Array.from([0xc0, 0]));
  await w.close();
});

Deno.test("stub erases just in time and skips blank sectors", async () => {
  const w = await withStub("sim:esp32c3");
  const dev = w.port.device;
  dev.flash.program(0x21000, Uint8Array.from([0])); // only sector 0x21 holds data
  const before = dev.flash.counters.sectorsErased;
  const block = new Uint8Array(0x3000).fill(0x5a);
  await w.command(0x02, words(block.length, 1, 0x4000, 0x20000));
  const [data, chk] = dataBlock(block, 0);
  assert.deepEqual((await w.command(0x03, data, chk)).data, OK2);
  assert.deepEqual((await w.command(0x04, words(1))).data, OK2);
  assert.equal(dev.flash.counters.sectorsErased - before, 1);
  assert.ok(dev.flash.bytes.subarray(0x20000, 0x23000).every((b) => b === 0x5a));
  await w.close();
});

Deno.test("stub: SPI_SET_PARAMS size bounds writes (0xC4); END before all data is 0xC0", async () => {
  const w = await withStub("sim:esp32c3");
  await w.command(0x0b, words(0, 1 << 20, 0x10000, 0x1000, 0x100, 0xffff));
  const past = await w.command(0x10, words(0x2000, 1, 0x4000, 0xff000));
  assert.deepEqual(past.data, Uint8Array.from([0xc4, 0]));
  await w.command(0x10, words(0x2000, 1, 0x4000, 0x1000));
  assert.deepEqual((await w.command(0x12, words(1))).data, Uint8Array.from([0xc0, 0]));
  await w.close();
});

Deno.test("stub READ_FLASH keeps 2 packets unacknowledged, then sends the MD5", async () => {
  const w = await withStub("sim:esp32s3");
  const dev = w.port.device;
  const content = Uint8Array.from({ length: 0x1800 }, (_, i) => i & 0xff);
  dev.flash.program(0x40000, content);
  const from = w.frames.length;
  // max_in_flight 64 is ignored: esp-flasher-stub sends 2 packets ahead of the acks.
  const r = await w.command(0xd2, words(0x40000, content.length, 0x800, 64));
  assert.deepEqual(r.data, OK2);
  await w.until(() => w.frames.length - from >= 3);
  await w.idle(20);
  assert.equal(w.frames.length - from, 3, "reply + 2 data packets before any ack");
  await w.send(words(0x800));
  await w.until(() => w.frames.length - from >= 4);
  await w.send(words(0x1000));
  await w.send(words(0x1800));
  await w.until(() => w.frames.length - from >= 5);
  const got = w.frames.slice(from + 1, from + 4).flatMap((f) => [...f.raw]);
  assert.deepEqual(Uint8Array.from(got), content);
  const digest = w.frames[from + 4].raw;
  assert.deepEqual(digest, new Uint8Array(createHash("md5").update(content).digest()));
  assert.deepEqual(
    (await w.command(0xd2, words(0, 16, 0x2000, 1))).data,
    Uint8Array.from([0xc0, 0]),
  );
  await w.close();
});

Deno.test("stub acks a block before writing it; the next reply waits for the write", async () => {
  const w = await withStub("sim:esp32c3");
  const dev = w.port.device;
  dev.flash.program(0, new Uint8Array(0x10000)); // force real erases
  await w.command(0x02, words(0x8000, 2, 0x4000, 0));
  const t0 = w.clock.now();
  const [d0, c0] = dataBlock(new Uint8Array(0x4000).fill(1), 0);
  await w.command(0x03, d0, c0);
  const ackAt = w.clock.now() - t0;
  await w.command(0x0a, words(0x40001000));
  const nextAt = w.clock.now() - t0;
  // The ack comes once the frame is on the chip (line time), before any flash work...
  assert.ok(ackAt < lineMs(0x4020, 115200) + 5, `ack at ${ackAt} ms`);
  // ...and the 4 sector erases + 64 page programs delay the next reply instead.
  const work = 4 * ESP_TIMING.sectorEraseMs + 64 * ESP_TIMING.pageProgramMs;
  assert.ok(nextAt - ackAt >= work - 5, `next reply ${nextAt - ackAt} ms after the ack`);
  await w.close();
});

Deno.test("stub ERASE_REGION and ERASE_FLASH", async () => {
  const w = await withStub("sim:esp32c6");
  const dev = w.port.device;
  dev.flash.program(0x10000, new Uint8Array(0x3000));
  assert.deepEqual(
    (await w.command(0xd1, words(0x10800, 0x1000))).data,
    Uint8Array.from([0xc0, 0]),
  );
  const t0 = w.clock.now();
  assert.deepEqual((await w.command(0xd1, words(0x10000, 0x2000))).data, OK2);
  assert.ok(w.clock.now() - t0 >= 2 * ESP_TIMING.sectorEraseMs);
  assert.ok(dev.flash.bytes.subarray(0x10000, 0x12000).every((b) => b === 0xff));
  assert.equal(dev.flash.bytes[0x12000], 0);
  assert.deepEqual((await w.command(0xd0)).data, OK2);
  assert.ok(dev.flash.bytes.every((b) => b === 0xff));
  await w.close();
});

Deno.test("stub: inflated bytes wait in its 32 KiB output buffer until it fills or the stream ends", async () => {
  const w = await withStub("sim:esp32");
  const dev = w.port.device;
  const img = Uint8Array.from({ length: 0x10000 }, (_, i) => (i * 131) ^ (i >> 7));
  const z = new Uint8Array(deflateSync(img, { level: 9 }));
  const bs = 0x400;
  const blocks = Math.ceil(z.length / bs);
  assert.ok(blocks >= 4, `${blocks} blocks`);
  assert.deepEqual((await w.command(0x10, words(img.length, blocks, bs, 0x20000))).data, OK2);
  const [first, chk] = dataBlock(z.subarray(0, bs), 0);
  assert.deepEqual((await w.command(0x11, first, chk)).data, OK2);
  await w.idle(50);
  // One block inflates to less than 32 KiB: acked, but nothing is in flash yet.
  assert.ok(dev.flash.read(0x20000, 0x1000).every((b) => b === 0xff));
  for (let seq = 1; seq < blocks; seq++) {
    const [data, c] = dataBlock(z.subarray(seq * bs, (seq + 1) * bs), seq);
    assert.deepEqual((await w.command(0x11, data, c)).data, OK2);
  }
  await w.idle(200);
  assert.deepEqual(dev.flash.read(0x20000, img.length), img);
  await w.close();
});
