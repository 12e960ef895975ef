/**
 * End to end: the ESP targets flash simulated chips through the whole pipeline.
 */
import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { createContext, flash, type FlashResult, Registry, VirtualClock } from "../kernel/mod.ts";
import { formats } from "../plugins/formats/mod.ts";
import { hashes } from "../plugins/hash/mod.ts";
import { espSim, EspSimBank } from "../sim/esp/plugin.ts";
import { espTargets } from "../targets/esp/plugin.ts";
import { WrongChipError } from "../targets/esp/errors.ts";
import { pseudoRandom } from "./support/random.ts";

const FW = new URL("../../shared/firmware/esp32/", import.meta.url);

async function setup() {
  const bank = new EspSimBank();
  const registry = new Registry();
  await registry.use(hashes());
  await registry.use(formats());
  await registry.use(espSim(bank));
  await registry.use(espTargets());
  return { bank, registry };
}

async function run(
  registry: Registry,
  target: string,
  port: string,
  bytes: Uint8Array,
  address = 0x10000,
  options: Record<string, unknown> = {},
  baud?: number,
): Promise<FlashResult> {
  const ctx = createContext({ clock: new VirtualClock() });
  return await flash(registry, ctx, {
    target,
    inputs: [{ file: "app.bin", address, bytes, format: "bin" }],
    connect: { port, options, baud },
  });
}

async function firmware(name: string): Promise<Uint8Array | undefined> {
  try {
    return await Deno.readFile(new URL(name, FW));
  } catch {
    console.log(`skipped: ${new URL(name, FW).pathname} not found`);
    return undefined;
  }
}

Deno.test("esp32c3: flash, reflash (0 sectors), one-byte change (1 sector)", async () => {
  const { bank, registry } = await setup();
  // 100 KiB + 100 bytes: the last sector is partly covered and must read back as 0xFF-filled.
  const app = pseudoRandom(100 * 1024 + 100);
  const first = await run(registry, "esp32c3", "sim:esp32c3", app);
  equal(first.device.chip, "ESP32-C3");
  equal(first.plan.totals.write, 26);
  const dev = bank.devices()[0];
  deepEqual(dev.flash.bytes.subarray(0x10000, 0x10000 + app.length), app);
  ok(dev.flash.bytes.subarray(0x10000 + app.length, 0x10000 + 26 * 4096).every((b) => b === 0xff));
  equal(first.verified?.blocks, 26);

  const again = await run(registry, "esp32c3", "sim:esp32c3", app);
  equal(again.plan.totals.write, 0);
  const whole = await run(registry, "esp32c3", "sim:esp32c3", app, 0x10000, {
    hashStrategy: "whole-then-sector",
  });
  equal(whole.plan.totals.write, 0);
  equal(whole.report.requests, 1, "one whole-span MD5 settles an unchanged image");

  const edited = app.slice();
  edited[50_000] ^= 0x5a;
  const erasedBefore = dev.flash.counters.sectorsErased;
  const third = await run(registry, "esp32c3", "sim:esp32c3", edited);
  equal(third.plan.totals.write, 1);
  equal(third.plan.runs[0].address, 0x10000 + Math.floor(50_000 / 4096) * 4096);
  equal(dev.flash.counters.sectorsErased - erasedBefore, 1);
  deepEqual(dev.flash.bytes.subarray(0x10000, 0x10000 + edited.length), edited);
});

for (const strategy of ["auto", "per-sector", "bisect", "whole-then-sector"]) {
  Deno.test(`hash strategy ${strategy} finds exactly the changed sectors`, async () => {
    const { bank, registry } = await setup();
    const app = pseudoRandom(64 * 4096, 7);
    await run(registry, "esp32s3", "sim:esp32s3", app, 0x20000, {
      hashStrategy: strategy,
    });
    const edited = app.slice();
    for (const s of [3, 4, 40, 63]) edited[s * 4096 + 17] ^= 1;
    const r = await run(registry, "esp32s3", "sim:esp32s3", edited, 0x20000, {
      hashStrategy: strategy,
    });
    deepEqual(r.plan.runs.map((x) => [x.address, x.data.length]), [
      [0x20000 + 3 * 4096, 8192],
      [0x20000 + 40 * 4096, 4096],
      [0x20000 + 63 * 4096, 4096],
    ]);
    deepEqual(bank.devices()[0].flash.bytes.subarray(0x20000, 0x20000 + edited.length), edited);
  });
}

Deno.test("sha2017 badge 01 → 02 on esp32 writes exactly the 4 differing sectors", async () => {
  const v1 = await firmware("sha2017-badge/sha2017-badge_01_5d05113.bin");
  const v2 = await firmware("sha2017-badge/sha2017-badge_02_0f6382e.bin");
  if (!v1 || !v2) return;
  const { bank, registry } = await setup();
  await run(registry, "esp32", "sim:esp32", v1, 0x10000, {}, 921600);
  const r = await run(registry, "esp32", "sim:esp32", v2, 0x10000, {}, 921600);
  equal(r.plan.totals.write, 4);
  deepEqual(bank.devices()[0].flash.bytes.subarray(0x10000, 0x10000 + v2.length), v2);
});

Deno.test("connecting to the wrong chip names both", async () => {
  const { registry } = await setup();
  const e = await rejects(run(registry, "esp32", "sim:esp32c3", new Uint8Array(16)), (e) => {
    ok(e instanceof WrongChipError);
    ok(e.message.includes("esp32") && e.message.includes("ESP32-C3"), e.message);
    return true;
  });
  void e;
});

Deno.test("esp32c3 IDF bootloader + partition table + app: a rebuild changes 2 + 0 + 119 sectors", async () => {
  const dir = "esp32c3-beehive-idf/";
  const files = await Promise.all(
    [
      "bootloader_1_1e1bbcb.bin",
      "bootloader_2_b75cf0a.bin",
      "partition-table_1b254f1.bin",
      "hello_world_1_b75cf0a.bin",
      "hello_world_2_4e32e84.bin",
    ].map((f) => firmware(dir + f)),
  );
  if (files.some((f) => !f)) return;
  const [boot1, boot2, pt, app1, app2] = files as Uint8Array[];
  const { bank, registry } = await setup();
  const flashAll = (boot: Uint8Array, app: Uint8Array) =>
    flash(registry, createContext({ clock: new VirtualClock() }), {
      target: "esp32c3",
      inputs: [
        { file: "bootloader.bin", address: 0x0, bytes: boot, format: "bin" },
        { file: "partition-table.bin", address: 0x8000, bytes: pt, format: "bin" },
        // The app goes where this partition table puts it: ota_0 at 0x20000.
        { file: "hello_world.bin", address: 0x20000, bytes: app, format: "bin" },
      ],
      connect: { port: "sim:esp32c3", baud: 921600 },
    });
  await flashAll(boot1, app1);
  const r = await flashAll(boot2, app2);
  const changed = (lo: number, hi: number) =>
    r.report.blocks.filter((b) => !b.same && b.address >= lo && b.address < hi).length;
  equal(changed(0, 0x8000), 2);
  equal(changed(0x8000, 0x9000), 0);
  equal(changed(0x10000, 0x400000), 119);
  // At 921600 baud the 4 unchanged sectors of the app's first 64 KiB block are cheaper to
  // rewrite than to erase the 11 changed ones singly: one block erase covers them all.
  const written = r.plan.blocks.filter((b) => b.action === "write");
  equal(written.length, 2 + 123);
  const dev = bank.devices()[0];
  deepEqual(dev.flash.bytes.subarray(0, boot2.length), boot2);
  deepEqual(dev.flash.bytes.subarray(0x8000, 0x8000 + pt.length), pt);
  deepEqual(dev.flash.bytes.subarray(0x20000, 0x20000 + app2.length), app2);
});

Deno.test("an ESP32 app image is refused on an ESP32-C3 before anything is written", async () => {
  const app = await firmware("sha2017-badge/sha2017-badge_01_5d05113.bin");
  if (!app) return;
  const { bank, registry } = await setup();
  await rejects(run(registry, "esp32c3", "sim:esp32c3", app), /ESP32/);
  equal(bank.devices().length, 0, "no device was even opened");
});
