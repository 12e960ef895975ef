import { deepEqual, equal, rejects, throws } from "node:assert/strict";
import {
  createContext,
  DeviceError,
  FlashImage,
  type LinkStats,
  type RunContext,
} from "../../kernel/mod.ts";
import type { CortexMDebug } from "../../probes/cortexm/debug.ts";
import { boardForId, BOARDS, CHIPS, layoutOf, NVMC } from "./chips.ts";
import { hashBatches, NrfDevice } from "./device.ts";
import { nrfLoadImage } from "./image.ts";
import { programUicr, uicrChanges } from "./uicr.ts";

/** Word memory with an NVMC that honours CONFIG and 1→0-only writes. */
class MemCore implements CortexMDebug {
  readonly description = "memory";
  readonly mem = new Map<number, number>();
  config = 0;
  erases = 0;
  readMemory(_c: RunContext, address: number, length: number) {
    const out = new Uint8Array(length);
    const v = new DataView(out.buffer);
    for (let i = 0; i < length; i += 4) {
      v.setUint32(i, this.mem.get(address + i) ?? 0xffffffff, true);
    }
    return Promise.resolve(out);
  }
  readSpans(c: RunContext, spans: readonly { address: number; count: number }[]) {
    return Promise.all(
      spans.map(async (s) =>
        new Uint32Array((await this.readMemory(c, s.address, 4 * s.count)).buffer)
      ),
    );
  }
  readonly calls: string[] = [];
  writeMemory(_c: RunContext, address: number, data: Uint8Array) {
    this.calls.push(`write ${address.toString(16)} ${data[0]}`);
    return Promise.resolve();
  }
  startFunction(_c: RunContext, req: { args: readonly number[] }) {
    this.calls.push(`start ${req.args[0].toString(16)} from ${req.args[1].toString(16)}`);
    return Promise.resolve();
  }
  finishFunction() {
    this.calls.push("finish");
    return Promise.resolve(0);
  }
  readWord(_c: RunContext, address: number) {
    return Promise.resolve(address === NVMC.READY ? 1 : this.mem.get(address) ?? 0xffffffff);
  }
  writeWord(_c: RunContext, address: number, value: number) {
    if (address === NVMC.CONFIG) this.config = value;
    else if (address === NVMC.ERASEUICR && this.config === 2) {
      this.erases++;
      for (const k of [...this.mem.keys()]) {
        if (k >= 0x10001000 && k < 0x10002000) this.mem.delete(k);
      }
    } else if (this.config === 1) {
      this.mem.set(address, ((this.mem.get(address) ?? 0xffffffff) & value) >>> 0);
    }
    return Promise.resolve();
  }
  readRegister() {
    return Promise.resolve(0);
  }
  writeRegister() {
    return Promise.resolve();
  }
  halt() {
    return Promise.resolve();
  }
  resume() {
    return Promise.resolve();
  }
  isHalted() {
    return Promise.resolve(true);
  }
  resetAndHalt() {
    return Promise.resolve();
  }
  reset() {
    return Promise.resolve();
  }
  runFunction() {
    return Promise.resolve(0);
  }
  stats(): LinkStats {
    return { bytesOut: 0, bytesIn: 0, roundTrips: 0 };
  }
  close() {
    return Promise.resolve();
  }
}

const ctx = createContext();

function uicrImage(words: Record<number, number>, size = 0x100): Uint8Array {
  const out = new Uint8Array(size).fill(0xff);
  const v = new DataView(out.buffer);
  for (const [off, w] of Object.entries(words)) v.setUint32(Number(off), w, true);
  return out;
}

Deno.test("uicrChanges tells 1→0 writes from 0→1 needs", () => {
  const cur = uicrImage({ 0x14: 0x7f000 });
  deepEqual(uicrChanges(cur, uicrImage({ 0x14: 0x77000 })).needsErase, false);
  deepEqual(uicrChanges(cur, uicrImage({ 0x14: 0x7f001 })).needsErase, true);
  deepEqual(uicrChanges(cur, cur).words.size, 0);
});

Deno.test("UICR: writes only changed words; erases when the chip can", async () => {
  const core = new MemCore();
  core.mem.set(0x10001014, 0x7f000);
  equal(await programUicr(ctx, core, CHIPS.nrf52833, 0x10001000, uicrImage({ 0x14: 0x77000 })), 1);
  equal(core.erases, 0);
  equal(core.mem.get(0x10001014), 0x77000);
  await programUicr(ctx, core, CHIPS.nrf52833, 0x10001000, uicrImage({ 0x14: 0x7f000, 0x80: 1 }));
  equal(core.erases, 1);
  deepEqual([core.mem.get(0x10001014), core.mem.get(0x10001080)], [0x7f000, 1]);
  equal(core.config, 0);
});

Deno.test("UICR: a chip that cannot erase UICR stops with a clear error", async () => {
  const core = new MemCore();
  core.mem.set(0x10001014, 0);
  const chip = { ...CHIPS.nrf51822, eraseUicr: false };
  await rejects(
    () => programUicr(ctx, core, chip, 0x10001000, uicrImage({ 0x14: 0x3c000 })),
    (e) => e instanceof DeviceError && /erase/.test(e.message),
  );
  equal(core.mem.get(0x10001014), 0); // nothing half-written
});

Deno.test("hash batches: small ranges first, one descriptor per run, duplicates share a slot", () => {
  const layout = layoutOf(CHIPS.nrf51822);
  const r = (p: number) => ({ start: p * 1024, end: p * 1024 + 1024 });
  const batches = hashBatches(
    [r(5), r(0), r(1), r(3), r(40), { start: 0x10001000, end: 0x10001100 }, r(1), {
      start: 0x440,
      end: 0x480,
    }],
    layout,
    384,
    84,
  );
  equal(batches.length, 1);
  const b = batches[0];
  deepEqual(b.descriptors.map((d) => [d.start, d.size, d.count]), [
    [0x440, 0x40, 1],
    [0x10001000, 0x100, 1],
    [0, 1024, 2],
    [3 * 1024, 1024, 1],
    [5 * 1024, 1024, 1],
    [40 * 1024, 1024, 1],
  ]);
  deepEqual(b.indexes, [7, 5, 1, 2, 6, 3, 0, 4]);
  deepEqual(b.slotOf, [0, 1, 2, 3, 3, 4, 5, 6]);
  // Capacity splits the list into calls.
  equal(hashBatches([r(0), r(1), r(2)], layout, 2, 84).length, 2);
  throws(() => hashBatches([{ start: 2, end: 10 }], layout, 384, 84), DeviceError);
  throws(() => hashBatches([{ start: 1020, end: 1030 }], layout, 384, 84), DeviceError);
});

Deno.test("loadImage drops RAM bytes and tags UICR segments", async () => {
  const image = FlashImage.from([
    { address: 0, data: new Uint8Array(8), source: "a.hex" },
    { address: 0x10001014, data: new Uint8Array(4), source: "a.hex" },
    { address: 0x20000000, data: new Uint8Array(64), source: "a.hex" },
  ]);
  const stage = nrfLoadImage(BOARDS[1])(() => Promise.resolve(image));
  const out = await stage(ctx, { inputs: [], formatOptions: {} });
  deepEqual(out.segments.map((s) => [s.address, s.source]), [[0, "a.hex"], [
    0x10001014,
    "a.hex[uicr]",
  ]]);
});

Deno.test("board ids map to boards", () => {
  equal(boardForId("9900")?.target, "microbit-v1");
  equal(boardForId("9901")?.target, "microbit-v1");
  equal(boardForId("9906")?.target, "microbit-v2");
  equal(boardForId("1234"), undefined);
});

Deno.test("pages are double-buffered: page i+1 uploads while page i programs", async () => {
  // The first page's erase starts (NVMC CONFIG = erase, ERASEPAGE = 0x400) before its data
  // is uploaded; each program call then starts the next page's erase.
  const core = new MemCore();
  core.mem.set(0x10000010, 1024);
  core.mem.set(0x10000014, 256);
  const dev = await NrfDevice.open(ctx, core, CHIPS.nrf51822);
  core.calls.length = 0;
  const data = new Uint8Array(3 * 1024).map((_, i) => i >> 10);
  await dev.program(ctx, [{ address: 0x400, data }]);
  deepEqual(core.calls, [
    "write 4001e504 2",
    "write 4001e508 0",
    "write 20001000 0",
    "start 400 from 20001000",
    "write 20001400 1",
    "finish",
    "start 800 from 20001400",
    "write 20001000 2",
    "finish",
    "start c00 from 20001000",
    "finish",
  ]);
});
