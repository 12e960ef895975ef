/**
 * The flags esptool, espflash and probe-rs users type: -c/--chip, -M, --before/--after,
 * --no-stub, --speed; the config file only under --config.
 *
 * @module
 */
import { equal, match, notEqual, ok } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runCli } from "./support/run_cli.ts";

const dist = fileURLToPath(new URL("../examples/firmware/dist/", import.meta.url));
const espApp = `${dist}esp32c3-blink-v1.bin@0x10000`;
const hex = `${dist}microbit-blink-v1.hex`;

async function tempState(): Promise<string> {
  return `${await Deno.makeTempDir({ prefix: "deltaflash-flags-" })}/flash.bin`;
}

Deno.test("-c/--chip names the chip like --target; a disagreement is a usage error", async () => {
  const state = await tempState();
  const r = await runCli(["flash", "-c", "esp32c3", "-p", `sim:esp32c3?state=${state}`, espApp]);
  equal(r.code, 0, r.stderr);
  match(r.stdout, /wrote \d+ of \d+ sectors/);
  // A chip name that is an alias of a board target (nRF52833 → micro:bit V2).
  const nrf = await runCli(["plan", "--chip", "nrf52833", "--probe", "sim:microbit-v2", hex]);
  equal(nrf.code, 0, nrf.stderr);
  const both = await runCli(["flash", "--target", "esp32", "--chip", "esp32c3", espApp]);
  equal(both.code, 2);
  match(both.stderr, /disagree/);
});

Deno.test("the config file is --config only (-c is the chip)", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/cfg.json`, JSON.stringify({ target: "esp32c3" }));
  const r = await runCli(["--config", `${dir}/cfg.json`, "plan", espApp, "--against", espApp]);
  equal(r.code, 0, r.stderr);
  match(r.stdout, /would write 0 of/);
  // `-c file` now names a chip, which no target has.
  const old = await runCli(["-c", `${dir}/cfg.json`, "plan", espApp, "--against", espApp]);
  notEqual(old.code, 0);
  match(old.stderr, /target '.*cfg\.json'/i);
});

Deno.test("-M is --monitor: the app's console follows the flash", async () => {
  const state = await tempState();
  const r = await runCli([
    "flash",
    "-c",
    "esp32c3",
    "-p",
    `sim:esp32c3?state=${state}`,
    "-M",
    "--timeout",
    "1",
    espApp,
  ]);
  equal(r.code, 0, r.stderr);
  match(r.stdout + r.stderr, /ESP-ROM:esp32c3/);
});

Deno.test("--before takes esptool's values with - or _, and reaches the target", async () => {
  const state = await tempState();
  // No reset before connecting: a chip that powered up running its app does not answer SYNC …
  const running = await runCli([
    "flash",
    "-c",
    "esp32c3",
    "-p",
    `sim:esp32c3?state=${state}`,
    "--before",
    "no_reset",
    espApp,
  ]);
  equal(running.code, 1);
  match(running.stderr, /no answer to SYNC/);
  // … one held in download mode does, with either spelling.
  for (const before of ["no_reset", "no-reset"]) {
    const r = await runCli([
      "flash",
      "-c",
      "esp32c3",
      "-p",
      `sim:esp32c3?boot=download&state=${await tempState()}`,
      "--before",
      before,
      "--after",
      before,
      espApp,
    ]);
    equal(r.code, 0, r.stderr);
  }
  const bad = await runCli(["flash", "-c", "esp32c3", "--before", "usb_reset", espApp]);
  equal(bad.code, 2);
  match(bad.stderr, /Allowed choices are default_reset, default-reset, no_reset, no-reset/);
  const badAfter = await runCli(["flash", "-c", "esp32c3", "--after", "soft_reset", espApp]);
  equal(badAfter.code, 2);
});

Deno.test("--no-stub keeps the ROM loader even when -O stub=true asks for the stub", async () => {
  const run = async (...extra: string[]) => {
    const r = await runCli([
      "flash",
      "-c",
      "esp32c3",
      "-p",
      `sim:esp32c3?state=${await tempState()}`,
      "-O",
      "stub=true",
      "--json",
      ...extra,
      espApp,
    ]);
    equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).device.details.loader;
  };
  equal(await run(), "stub");
  equal(await run("--no-stub"), "ROM");
});

Deno.test("--speed sets the SWD clock: a slower clock takes longer on the modelled link", async () => {
  const run = async (speed: string) => {
    const r = await runCli([
      "flash",
      "-c",
      "microbit-v2",
      "--probe",
      "sim:microbit-v2",
      "--mode",
      "full",
      "--speed",
      speed,
      "--json",
      hex,
    ]);
    equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    ok(j.modelled);
    return j.elapsedMs as number;
  };
  const slow = await run("100"), fast = await run("4000");
  ok(slow > fast * 1.5, `100 kHz ${slow} ms vs 4 MHz ${fast} ms`);
  const bad = await runCli(["flash", "-c", "microbit-v2", "--speed", "fast", hex]);
  equal(bad.code, 2);
  // Flags a link cannot use are refused, not ignored.
  const wrongLink = await runCli([
    "flash",
    "-c",
    "esp32c3",
    "-p",
    "sim:esp32c3",
    "--speed",
    "4000",
    espApp,
  ]);
  equal(wrongLink.code, 2);
  match(wrongLink.stderr, /--speed sets the SWD clock/);
  const noStubNrf = await runCli(["flash", "-c", "microbit-v2", "--no-stub", hex]);
  notEqual(noStubNrf.code, 0);
  match(noStubNrf.stderr, /--no-stub applies to ESP targets/);
});

Deno.test("plan ends with what would be written and the estimated time; flash prints the estimate before writing", async () => {
  const plan = await runCli(["plan", "--target", "microbit-v2", "--probe", "sim:microbit-v2", hex]);
  equal(plan.code, 0, plan.stderr);
  const last = plan.stdout.trim().split("\n").at(-1)!;
  match(
    last,
    /^would write \d+ of \d+ pages .*; flashing would take about [\d.]+ m?s \(estimate\)$/,
  );
  const state = await tempState();
  const r = await runCli([
    "flash",
    "--target",
    "esp32c3",
    "-p",
    `sim:esp32c3?state=${state}`,
    espApp,
  ]);
  equal(r.code, 0, r.stderr);
  const estimated = r.stderr.indexOf("estimated ");
  ok(estimated >= 0, r.stderr);
  ok(estimated < r.stderr.indexOf("writing"), "the estimate comes before the write stage");
});
