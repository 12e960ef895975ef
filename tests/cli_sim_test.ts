/**
 * The CLI against the built-in simulated devices, as a user types it.
 */
import { equal, match } from "node:assert/strict";
import { createRegistry } from "../mod.ts";
import { arduinoDefaultTable } from "./support/esp_images.ts";
import { firmware, needsFirmware } from "./support/firmware.ts";
import { runCli } from "./support/run_cli.ts";

const tmp = async (name: string) => `${await Deno.makeTempDir()}/${name}`;

Deno.test("info works on every built-in target against its simulator", async () => {
  const registry = await createRegistry();
  for (const t of registry.targets()) {
    const link = t.link === "serial" ? "--port" : "--probe";
    const r = await runCli(["info", "--target", t.name, link, `sim:${t.name}`, "--json"]);
    equal(r.code, 0, `${t.name}: ${r.stderr}`);
    const info = JSON.parse(r.stdout);
    equal(info.regions.length > 0, true, t.name);
    equal(typeof info.chip, "string");
  }
});

Deno.test("three simulated boards in one command: a failing board is reported, two finish", async () => {
  const [a, b, c] = [await tmp("a.bin"), await tmp("b.bin"), await tmp("c.bin")];
  const app = "examples/firmware/dist/esp32c3-blink-v1.bin@0x10000";
  const r = await runCli([
    "flash",
    "--target",
    "esp32c3",
    "-p",
    `sim:esp32c3?state=${a}`,
    "-p",
    `sim:esp32c3?state=${b}&stuck=0x10004`, // a flash cell stuck at 1: verify must fail
    "-p",
    `sim:esp32c3?state=${c}`,
    app,
  ]);
  equal(r.code, 1, r.stdout + r.stderr);
  match(r.stdout, new RegExp(`state=${a}\\s+ok\\s+9/9`));
  match(r.stdout, /stuck=0x10004\s+FAILED\s+verify failed/);
  match(r.stdout, new RegExp(`state=${c}\\s+ok\\s+9/9`));
  match(r.stdout, /2 of 3 boards flashed, 1 failed/);
});

Deno.test(
  "esp32: bootloader + partitions + app through the CLI, then only the app's changed sectors",
  needsFirmware,
  async () => {
    const state = await tmp("esp32.bin");
    // A table whose app partition holds the 1.2 MB app (esptool's test table has 1 MiB).
    const table = await tmp("partitions.bin");
    await Deno.writeFile(table, arduinoDefaultTable());
    const args = (app: string) => [
      "flash",
      "--target",
      "esp32",
      "--port",
      `sim:esp32?state=${state}`,
      "--json",
      `${firmware("esp32/sha2017-badge/bootloader_2_c45c3de.bin")}@0x1000`,
      `${table}@0x8000`,
      `${firmware(`esp32/sha2017-badge/${app}`)}@0x10000`,
    ];
    const first = await runCli(args("sha2017-badge_01_5d05113.bin"));
    equal(first.code, 0, first.stderr);
    const t1 = JSON.parse(first.stdout).plan.totals;
    equal(t1.write, t1.blocks);
    const second = await runCli(args("sha2017-badge_02_0f6382e.bin"));
    equal(second.code, 0, second.stderr);
    const j = JSON.parse(second.stdout);
    equal(j.plan.totals.write, 4);
    equal(j.plan.changed.every((a: number) => a >= 0x10000), true);
  },
);
