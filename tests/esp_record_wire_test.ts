// On a slow line the flasher stub spends most of a small write waiting for data: the hashes
// that confirm what the flash record says is unchanged ride ahead of the data blocks and are
// done by the time the last block is in, instead of after it.
import { deepEqual, equal, ok } from "node:assert/strict";
import {
  createContext,
  flash,
  FlashImage,
  type FlashRecordStore,
  recordAfter,
  touchedBlocks,
  VirtualClock,
} from "../kernel/mod.ts";
import { espSim, EspSimBank } from "../sim/esp/plugin.ts";
import { espTargets } from "../targets/esp/plugin.ts";
import { pseudoRandom } from "../bench/scenarios.ts";
import { registryWith } from "../bench/harness.ts";

const APP = 0x10000, SIZE = 0x80000;
const MD5 = 0x13, DEFL_DATA = 0x11;

Deno.test("checks ride ahead of the stub's data blocks and leave verify little to do", async () => {
  const bank = new EspSimBank({ latencyMs: 16 });
  const registry = await registryWith(espSim(bank), espTargets());
  const old = pseudoRandom(SIZE, 7);
  const next = old.slice();
  next[0x40123] ^= 0xff;
  const dev = await bank.device("sim:esp32", "esp32");
  dev.flash.bytes.set(old, APP);
  const oldImage = FlashImage.from([{ address: APP, data: old, source: "old" }]);
  const layout = {
    regions: [{
      name: "flash",
      start: 0,
      size: dev.flash.size,
      blockSize: 4096,
      erasedValue: 0xff,
    }],
  };
  const record = recordAfter(
    undefined,
    oldImage,
    touchedBlocks(oldImage, layout),
    registry.hash("md5"),
    () => 0xff,
    true,
  );
  const saved: string[] = [];
  const store: FlashRecordStore = {
    load: () => Promise.resolve(record),
    save: (id) => Promise.resolve(void saved.push(id)),
  };
  const r = await flash(registry, createContext({ clock: new VirtualClock() }), {
    target: "esp32",
    inputs: [{ file: "app.bin", address: APP, bytes: next }],
    record: store,
    connect: {
      port: "sim:esp32",
      baud: 115200,
      options: { latencyMs: 16, stub: true, after: "no-reset-no-stub" },
    },
  });
  deepEqual(r.plan.runs.map((x) => x.address), [APP + 0x40000]);
  equal(r.plan.totals.assumed, 1);
  const ops = dev.history.map((h) => h.op);
  const lastData = ops.lastIndexOf(DEFL_DATA);
  const md5s = dev.history.filter((h) => h.op === MD5);
  // Every 64 KiB piece of the image was hashed, by the stub, and all but the written run's
  // own check before its data was in.
  ok(md5s.length >= SIZE / 0x10000, `${md5s.length} MD5 requests`);
  ok(md5s.every((h) => h.loader === "stub"));
  equal(ops.slice(lastData).filter((op) => op === MD5).length, 1);
  equal(r.verified?.blocks, SIZE / 4096);
  equal(r.verified?.requests, 1);
  ok(dev.flash.read(APP, SIZE).every((b, i) => b === next[i]));
  equal(saved.length, 1);
});

Deno.test("a long compressed run is checked piece by piece only once the stub has written it", async () => {
  const bank = new EspSimBank({ latencyMs: 16 });
  const registry = await registryWith(espSim(bank), espTargets());
  // 200 symbols: deflates a little, so each 16 KiB stub block inflates to less than the
  // stub's 32 KiB output buffer, which then holds bytes back from flash.
  const next = pseudoRandom(0x40000, 11).map((b) => b % 200);
  const dev = await bank.device("sim:esp32", "esp32");
  const r = await flash(registry, createContext({ clock: new VirtualClock() }), {
    target: "esp32",
    inputs: [{ file: "app.bin", address: APP, bytes: next }],
    connect: {
      port: "sim:esp32",
      baud: 115200,
      options: { latencyMs: 16, stub: true, after: "no-reset-no-stub" },
    },
  });
  equal(r.plan.runs.length, 1);
  const ops = dev.history.map((h) => h.op);
  const firstData = ops.indexOf(DEFL_DATA), lastData = ops.lastIndexOf(DEFL_DATA);
  ok(lastData - firstData >= 5, "several data blocks");
  // Pieces were hashed between the run's blocks, and each matched (verify passed).
  ok(ops.slice(firstData, lastData).includes(MD5));
  equal(r.verified?.blocks, 0x40000 / 4096);
  ok(dev.flash.read(APP, next.length).every((b, i) => b === next[i]));
});
