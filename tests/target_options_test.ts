import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import { UsageError } from "../kernel/mod.ts";
import { espOptions } from "../targets/esp/options.ts";
import { nrfOptions } from "../targets/nrf/options.ts";
import { runCli } from "./support/run_cli.ts";

const IMAGE = new URL("../examples/firmware/dist/esp32c3-blink-v1.bin", import.meta.url).pathname;

/** A plan run on a port that does not exist: an option error must come before connecting. */
const plan = (...options: string[]) =>
  runCli([
    "plan",
    "--target",
    "esp32c3",
    "--port",
    "/dev/deltaflash-no-such-port",
    ...options.flatMap((o) => ["-O", o]),
    `${IMAGE}@0x10000`,
  ]);

Deno.test("a misspelt option key is a usage error naming the closest key", async () => {
  const r = await plan("hashStratgy=bisect");
  equal(r.code, 2);
  match(r.stderr, /unknown option 'hashStratgy' for esp32c3/);
  match(r.stderr, /did you mean hashStrategy\?/);
});

Deno.test("bad option values are usage errors naming the allowed values", async () => {
  const cases: [string, RegExp][] = [
    ["compress=no", /use one of: true, false/],
    ["stub=bogus", /use one of: auto, true, false/],
    ["latencyMs=abc", /latencyMs takes a number ≥ 0/],
    ["flashSize=3MB", /flashSize takes a flash size from 256KB to 128MB/],
    ["hashStrategy=fastest", /use one of: auto, per-sector, bisect, whole-then-sector/],
    ["before=usb_reset", /use one of: default-reset, no-reset/],
  ];
  for (const [option, hint] of cases) {
    const r = await plan(option);
    equal(r.code, 2, option);
    match(r.stderr, new RegExp(`bad value '${option.split("=")[1]}' for option`), option);
    match(r.stderr, hint, option);
  }
});

Deno.test("esptool's spellings are accepted and every value is parsed to its type", () => {
  const o = espOptions.parse(
    {
      after: "no_reset",
      before: "NO_RESET",
      compress: "false",
      stub: "true",
      latencyMs: "16",
      flashSize: "4MB",
    },
    "esp32",
  );
  deepEqual(
    { ...o },
    {
      hashStrategy: "auto",
      before: "no-reset",
      after: "no-reset",
      stub: true,
      compress: false,
      flashSize: 4 << 20,
      latencyMs: 16,
    },
  );
  // Parsing parsed options (a board target handing them to its chip's target) changes nothing.
  deepEqual({ ...espOptions.parse(o, "esp32") }, { ...o });
  deepEqual({ ...nrfOptions.parse({}, "microbit-v2") }, { reset: true, swdClockHz: 10_000_000 });
  throws(() => nrfOptions.parse({ reset: "maybe" }, "microbit-v2"), UsageError);
});

Deno.test("an accepted esptool spelling reaches the device: after=no_reset flashes", async () => {
  const r = await runCli([
    "flash",
    "--target",
    "esp32c3",
    "--port",
    "sim:esp32c3",
    "-O",
    "after=no_reset",
    `${IMAGE}@0x10000`,
  ]);
  equal(r.code, 0, r.stderr);
});

Deno.test("targets -v, --help and completions list the options from the schemas", async () => {
  const targets = await runCli(["targets", "-v"]);
  equal(targets.code, 0);
  for (const key of espOptions.keys) match(targets.stdout, new RegExp(`^  ${key} `, "m"));
  match(targets.stdout, /auto \| per-sector \| bisect \| whole-then-sector \(default auto\)/);
  match(targets.stdout, /swdClockHz/);
  const json = JSON.parse((await runCli(["targets", "--json"])).stdout);
  const esp = json.targets.find((t: { name: string }) => t.name === "esp32c3");
  deepEqual(esp.options.before.choices, ["default-reset", "no-reset"]);
  const help = await runCli(["--help"]);
  match(help.stdout + help.stderr, /Target options/);
  match(help.stdout + help.stderr, /hashStrategy/);
  for (const shell of ["bash", "zsh", "fish"]) {
    const c = await runCli(["completions", shell]);
    equal(c.code, 0);
    ok(c.stdout.includes("hashStrategy=bisect"), shell);
    ok(c.stdout.includes("after=no-reset"), shell);
    ok(c.stdout.includes("swdClockHz="), shell);
  }
});
