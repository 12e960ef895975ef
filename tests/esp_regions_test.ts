/**
 * ESP multi-region flashing with the image plugin: bootloader + partition table + app, each
 * region differential; a data partition; images for another chip refused before writing.
 */
import { deepEqual, equal, match, rejects } from "node:assert/strict";
import { createContext, flash, type ImageInput, Registry, VirtualClock } from "../kernel/mod.ts";
import { formats } from "../plugins/formats/mod.ts";
import { hashes } from "../plugins/hash/mod.ts";
import { espSim, EspSimBank } from "../sim/esp/plugin.ts";
import { espImages } from "../targets/esp/images_plugin.ts";
import { espTargets } from "../targets/esp/plugin.ts";
import { arduinoDefaultTable } from "./support/esp_images.ts";
import { firmware, needsFirmware } from "./support/firmware.ts";

async function setup() {
  const bank = new EspSimBank();
  const registry = new Registry();
  for (const p of [hashes(), formats(), espSim(bank), espTargets(), espImages()]) {
    await registry.use(p);
  }
  return { bank, registry };
}

const run = (registry: Registry, target: string, inputs: ImageInput[]) =>
  flash(registry, createContext({ clock: new VirtualClock() }), {
    target,
    inputs,
    connect: { port: `sim:${target}` },
  });

const at = (file: string, address: number): ImageInput => ({ file: firmware(file), address });

Deno.test(
  "esp32: bootloader + partitions + app written once, then only the app's changed sectors",
  needsFirmware,
  async () => {
    const { bank, registry } = await setup();
    const regions = (app: string) => [
      at("esp32/sha2017-badge/bootloader_2_c45c3de.bin", 0x1000),
      // A table whose app partition holds the 1.2 MB app (esptool's test table has 1 MiB).
      { file: "partitions.bin", address: 0x8000, bytes: arduinoDefaultTable(), format: "bin" },
      at(`esp32/sha2017-badge/${app}`, 0x10000),
    ];
    const first = await run(registry, "esp32", regions("sha2017-badge_01_5d05113.bin"));
    const bl = await Deno.readFile(firmware("esp32/sha2017-badge/bootloader_2_c45c3de.bin"));
    equal(first.plan.totals.write, first.plan.totals.blocks);
    equal(first.plan.totals.blocks, Math.ceil(bl.length / 4096) + 1 + 289);
    const second = await run(registry, "esp32", regions("sha2017-badge_02_0f6382e.bin"));
    equal(second.plan.totals.write, 4); // the corpus README: 4 of 289 app sectors differ
    const flashBytes = bank.devices()[0].flash.bytes;
    deepEqual(flashBytes.subarray(0x1000, 0x1000 + bl.length), bl);
    const app = await Deno.readFile(firmware("esp32/sha2017-badge/sha2017-badge_02_0f6382e.bin"));
    deepEqual(flashBytes.subarray(0x10000, 0x10000 + app.length), app);
  },
);

Deno.test("esp32c3: a 1 MiB data partition with one changed 4 KiB block writes one sector", async () => {
  const { bank, registry } = await setup();
  let s = 7;
  const fs = Uint8Array.from(
    { length: 1 << 20 },
    () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24,
  );
  const input = (bytes: Uint8Array): ImageInput => ({
    file: "fs.img",
    format: "bin",
    address: 0x110000,
    bytes,
  });
  await run(registry, "esp32c3", [input(fs)]);
  const edited = fs.slice();
  edited.fill(0x33, 0x7a000, 0x7a010);
  const r = await run(registry, "esp32c3", [input(edited)]);
  equal(r.plan.totals.write, 1);
  deepEqual(r.plan.runs.map((x) => x.address), [0x110000 + 0x7a000]);
  deepEqual(bank.devices()[0].flash.bytes.subarray(0x110000, 0x110000 + edited.length), edited);
});

Deno.test(
  "an app image for ESP32-C3 is refused on an ESP32 before anything is written",
  needsFirmware,
  async () => {
    const { bank, registry } = await setup();
    await rejects(
      run(registry, "esp32", [at("esp32/esp32c3-beehive-idf/hello_world_1_b75cf0a.bin", 0x10000)]),
      (e: Error) => {
        match(e.message, /ESP32-C3/);
        match(e.message, /ESP32\b/);
        return true;
      },
    );
    // Refused while loading, before the device was even opened.
    equal(bank.devices().reduce((n, d) => n + d.flash.counters.sectorsErased, 0), 0);
  },
);
