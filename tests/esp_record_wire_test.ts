// On a slow line the flasher stub spends most of a small write waiting for data: the hashes
// that confirm what the flash record says is unchanged ride ahead of the data blocks and are
// done by the time the last block is in, instead of after it. Through the ROM they wait in its
// UART FIFO behind write commands, no longer than the FIFO takes to fill.
import { deepEqual, equal, ok } from "node:assert/strict";
import {
  createContext,
  flash,
  FlashImage,
  type FlashRecordStore,
  recordOf,
  VirtualClock,
} from "../kernel/mod.ts";
import type { EspDevice } from "../sim/esp/device.ts";
import { espSim, EspSimBank } from "../sim/esp/plugin.ts";
import { espTargets } from "../targets/esp/plugin.ts";
import { pseudoRandom } from "../bench/scenarios.ts";
import { registryWith } from "../bench/harness.ts";
import { CHIPS } from "../targets/esp/chips.ts";

const APP = 0x10000, SIZE = 0x80000;
const MD5 = 0x13, DEFL_DATA = 0x11;

/**
 * Flashes `next` at 115200 baud behind a 16 ms bridge onto a simulated ESP32 holding `old`
 * (and, when given, a flash record saying so), through the stub or the ROM only.
 */
async function slowFlash(next: Uint8Array, old: Uint8Array | undefined, stub: boolean) {
  const bank = new EspSimBank({ latencyMs: 16 });
  const registry = await registryWith(espSim(bank), espTargets());
  const dev: EspDevice = await bank.device("sim:esp32", "esp32");
  const saved: string[] = [];
  let record: FlashRecordStore | undefined;
  if (old) {
    dev.flash.bytes.set(old, APP);
    const image = FlashImage.from([{ address: APP, data: old, source: "old" }]);
    const flash = { name: "flash", start: 0, size: dev.flash.size, blockSize: 4096 };
    const kept = recordOf(image, { regions: [flash] }, registry.hash("md5"));
    record = {
      load: () => Promise.resolve(kept),
      save: (id) => Promise.resolve(void saved.push(id)),
    };
  }
  const r = await flash(registry, createContext({ clock: new VirtualClock() }), {
    target: "esp32",
    inputs: [{ file: "app.bin", address: APP, bytes: next }],
    ...(record ? { record } : {}),
    connect: {
      port: "sim:esp32",
      baud: 115200,
      options: { latencyMs: 16, stub, after: "no-reset-no-stub" },
    },
  });
  ok(dev.flash.read(APP, next.length).every((b, i) => b === next[i]), "the new image is in flash");
  return { r, dev, ops: dev.history.map((h) => h.op), saved };
}

Deno.test("checks ride ahead of the stub's data blocks and leave verify little to do", async () => {
  const old = pseudoRandom(SIZE, 7);
  const next = old.slice();
  next[0x40123] ^= 0xff;
  const { r, dev, ops, saved } = await slowFlash(next, old, true);
  deepEqual(r.plan.runs.map((x) => x.address), [APP + 0x40000]);
  equal(r.plan.totals.assumed, 1);
  const md5s = dev.history.filter((h) => h.op === MD5);
  // The stub hashed all the image but the written run while that run's data was on the line.
  const hashed = r.written?.hashed ?? [];
  equal(hashed.reduce((n, h) => n + h.range.end - h.range.start, 0), SIZE - 0x1000);
  ok(md5s.length >= 2 && md5s.every((h) => h.loader === "stub"));
  equal(ops.slice(ops.lastIndexOf(DEFL_DATA)).filter((op) => op === MD5).length, 1);
  equal(r.verified?.blocks, SIZE / 4096);
  equal(r.verified?.requests, 1);
  equal(saved.length, 1);
});

Deno.test("a long compressed run is checked piece by piece only once the stub has written it", async () => {
  // 200 symbols: deflates a little, so each 16 KiB stub block inflates to less than the
  // stub's 32 KiB output buffer, which then holds bytes back from flash.
  const next = pseudoRandom(0x40000, 11).map((b) => b % 200);
  const { r, ops } = await slowFlash(next, undefined, true);
  equal(r.plan.runs.length, 1);
  const firstData = ops.indexOf(DEFL_DATA), lastData = ops.lastIndexOf(DEFL_DATA);
  ok(lastData - firstData >= 5, "several data blocks");
  // Pieces were hashed between the run's blocks, and each matched (verify passed).
  ok(ops.slice(firstData, lastData).includes(MD5));
  equal(r.verified?.blocks, 0x40000 / 4096);
});

Deno.test("through the ROM, checks wait behind commands and end before its FIFO could fill", async () => {
  const old = pseudoRandom(SIZE, 3).map((b) => b & 0x3f);
  const next = old.slice();
  for (const at of [0x2345, 0x31000, 0x62000]) next[at] ^= 1;
  const { r, dev, ops } = await slowFlash(next, old, false);
  equal(r.plan.runs.length, 3);
  const first = ops.indexOf(0x10), last = ops.lastIndexOf(DEFL_DATA);
  ok(ops.slice(first, last).includes(MD5), "checks between write commands");
  ok(dev.history.every((h) => h.loader === "rom"));
  // 128 bytes of FIFO at 115200 baud is 11.1 ms; a check must hash in 80 % of that.
  const budgetBytes = 0.8 * 11.11 * CHIPS.esp32.md5BytesPerMs;
  const hashed = r.written?.hashed ?? [];
  ok(hashed.length > 0);
  ok(hashed.every((h) => h.range.end - h.range.start <= budgetBytes), JSON.stringify(hashed));
});
