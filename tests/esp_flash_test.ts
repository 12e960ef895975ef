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

function pseudoRandom(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
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
