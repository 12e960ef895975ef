// Exit codes as the README promises (2 usage, 1 device/image/verify failure; 130 after Ctrl-C
// is in cli_sigint_test.ts) and `--json` failures: one `{"error": …}` object on stdout.
import { deepEqual, doesNotMatch, equal, match } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { type CliRun, runCli } from "./support/run_cli.ts";
import { firmware, needsFirmware } from "./support/firmware.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const c3App = `${root}examples/firmware/dist/esp32c3-blink-v1.bin@0x10000`;
const plugin = fileURLToPath(new URL("./support/membox_plugin.ts", import.meta.url));
/** A serial port that does not exist: reaching it would be a device failure (exit 1). */
const noPort = "/nonexistent/ttyUSB9";

/** The run printed exactly one JSON object on stdout: `{"error": {code, message, hint}}`. */
function jsonError(r: CliRun, code: string): { code: string; message: string; hint: unknown } {
  const j = JSON.parse(r.stdout);
  deepEqual(Object.keys(j), ["error"], r.stdout);
  deepEqual(Object.keys(j.error).sort(), ["code", "hint", "message"]);
  equal(j.error.code, code, r.stdout);
  return j.error;
}

async function project(): Promise<string> {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/deltaflash.json`,
    JSON.stringify({ plugins: [plugin], target: "membox" }),
  );
  return dir;
}

Deno.test("exit 2: parse errors of the command line, with --json as one error object", async () => {
  const cases: string[][] = [
    ["flash", "--bogus", "x.bin@0"], // unknown option
    ["read-flash", "0x0"], // missing argument
    ["flash", "--mode"], // option without its value
    ["diff", "a", "b", "c"], // excess argument
    ["flsh"], // unknown command
  ];
  for (const argv of cases) {
    const r = await runCli([...argv, "--json"]);
    equal(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
    const e = jsonError(r, "E_USAGE");
    match(r.stderr, new RegExp(`^error: ${e.message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  }
  match((await runCli(["flsh", "--json"])).stdout, /Did you mean flash\?/);
  // Without --json stdout stays empty.
  equal((await runCli(["flash", "--bogus"])).stdout, "");
});

Deno.test("exit 2: unknown target, hash, transport; bad config and target option", async () => {
  const unknownTarget = await runCli(["flash", "--target", "esp99", "--port", noPort, c3App]);
  equal(unknownTarget.code, 2, unknownTarget.stderr);
  match(unknownTarget.stderr, /unknown target 'esp99'\nhint: known targets: .*esp32c3/);
  equal(
    (await runCli(["info", "--target", "esp99", "--port", noPort, "--json"])).code,
    2,
  );
  const hash = await runCli([
    "hash",
    "--target",
    "esp32c3",
    "--port",
    noPort,
    "--hash",
    "crc33",
    "--json",
  ]);
  equal(hash.code, 2, hash.stderr);
  jsonError(hash, "E_NOT_FOUND");
  const transport = await runCli(["info", "--target", "esp32c3", "--port", "nope://x"]);
  equal(transport.code, 2, transport.stderr);
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/deno.json`, JSON.stringify({ deltaflash: { baud: "fast" } }));
  const config = await runCli(["--config", `${dir}/deno.json`, "targets", "--json"]);
  equal(config.code, 2, config.stderr);
  jsonError(config, "E_CONFIG");
  const missing = await runCli(["--config", `${dir}/none.json`, "targets"]);
  equal(missing.code, 2, missing.stderr);
  equal(
    (await runCli(["flash", "--target", "esp32c3", "--port", noPort, "-O", "x", c3App])).code,
    2,
  );
  const strategy = await runCli([
    "flash",
    "--target",
    "esp32c3",
    "--port",
    "sim:esp32c3",
    "-O",
    "hashStrategy=sideways",
    c3App,
  ]);
  equal(strategy.code, 2, strategy.stderr);
  const timeout = await runCli([
    "monitor",
    "--target",
    "esp32c3",
    "--port",
    noPort,
    "--timeout",
    "x",
  ]);
  equal(timeout.code, 2, timeout.stderr);
});

Deno.test("exit 2: an image for another chip is refused before any device is opened", async () => {
  // The port does not exist: had the run opened it first, it would fail with exit 1.
  for (const extra of [[], ["--monitor"]]) {
    const r = await runCli(["flash", "--target", "esp32", "--port", noPort, c3App, ...extra]);
    equal(r.code, 2, `${extra}: ${r.stderr}`);
    match(r.stderr, /is an image for ESP32-C3, but the target is ESP32/);
    match(r.stderr, /hint: this image is for --target esp32c3/);
    doesNotMatch(r.stderr, /ttyUSB9/);
  }
  // A Universal Hex without a section for the chosen board.
  const hex = `${root}examples/firmware/dist/microbit-blink-v1.hex`;
  const board = await runCli(["diff", hex, hex, "--board", "0x1234"]);
  equal(board.code, 2, board.stderr);
  match(board.stderr, /no section for board id 0x1234/);
  const host = await runCli(["plan", "--target", "esp32", c3App, "--against", c3App]);
  equal(host.code, 2, host.stderr);
  match(host.stderr, /is an image for ESP32-C3, but the target is ESP32/);
  const plan = await runCli(["plan", "--target", "esp32s3", "--port", noPort, c3App, "--json"]);
  equal(plan.code, 2, plan.stderr);
  jsonError(plan, "E_IMAGE_CHIP");
});

Deno.test("exit 1: device and image failures, with --json as one error object", async () => {
  const device = await runCli(["info", "--target", "esp32c3", "--port", noPort, "--json"]);
  equal(device.code, 1, device.stderr);
  match(jsonError(device, JSON.parse(device.stdout).error.code).message, /ttyUSB9/);
  const image = await runCli(["diff", "/nonexistent/a.bin", "/nonexistent/b.bin", "--json"]);
  equal(image.code, 1);
  jsonError(image, "E_NO_FILE");
  const dir = await project();
  const cfg = ["--config", `${dir}/deltaflash.json`];
  const unopened = await runCli([...cfg, "-p", "mem:bad", "read-flash", "0", "16", "--json", "x"]);
  equal(unopened.code, 1, unopened.stderr);
  match(jsonError(unopened, "E_DEVICE").message, /cannot open mem:bad/);
});

Deno.test("exit 1: a verify failure, as text and as JSON", async () => {
  const state = `${await Deno.makeTempDir()}/chip.bin`;
  const port = `sim:esp32c3?state=${state}&stuck=0x10004`;
  const r = await runCli(["flash", "--target", "esp32c3", "--port", port, c3App, "--json"]);
  equal(r.code, 1, r.stderr);
  const e = jsonError(r, "E_VERIFY");
  match(e.message, /verify failed/);
  match(String(e.hint), /run the same command again/);
});

Deno.test("-v shows the stack; without it there is none", async () => {
  const quiet = await runCli(["info", "--target", "esp99", "--port", noPort]);
  doesNotMatch(quiet.stderr, /^\s+at /m);
  const verbose = await runCli(["info", "--target", "esp99", "--port", noPort, "-v"]);
  equal(verbose.code, 2);
  match(verbose.stderr, /^NotFoundError: unknown target 'esp99'\n\s+at /m);
});

Deno.test("device commands print JSON with --json", async () => {
  const dir = await project();
  const cfg = ["--config", `${dir}/deltaflash.json`, "-p", "mem:json"];
  await Deno.writeFile(`${dir}/app.bin`, new Uint8Array(4096).fill(0x5a));
  equal((await runCli([...cfg, "flash", `${dir}/app.bin@0x1000`])).code, 0);
  const out = `${dir}/read.bin`;
  const read = await runCli([...cfg, "read-flash", "0x1000", "16", out, "--json"]);
  equal(read.code, 0, read.stderr);
  deepEqual(JSON.parse(read.stdout), { address: 0x1000, length: 16, file: out });
  equal((await Deno.readFile(out)).every((b) => b === 0x5a), true);
  const erase = await runCli([...cfg, "erase-region", "0x1000", "0x1000", "--json"]);
  deepEqual(JSON.parse(erase.stdout), { erased: [{ start: 0x1000, end: 0x2000 }] });
  deepEqual(JSON.parse((await runCli([...cfg, "reset", "--json"])).stdout), { reset: true });
});

Deno.test("many boards: JSON carries the first error and each board's; same usage error → 2", async () => {
  const dir = await project();
  await Deno.writeFile(`${dir}/app.bin`, new Uint8Array(4096).fill(1));
  const cfg = ["--config", `${dir}/deltaflash.json`, "-p", "mem:m1", "-p", "mem:bad"];
  const r = await runCli([...cfg, "flash", `${dir}/app.bin@0x1000`, "--json"]);
  equal(r.code, 1, r.stderr);
  const j = JSON.parse(r.stdout);
  equal(j.error.code, "E_DEVICE");
  match(j.error.message, /1 of 2 boards failed/);
  deepEqual(j.boards.map((b: { ok: boolean }) => b.ok), [true, false]);
  equal(j.boards[1].error.code, "E_DEVICE");
  const wrong = await runCli([
    "flash",
    "--target",
    "esp32",
    "-p",
    "sim:esp32",
    "-p",
    "sim:esp32",
    c3App,
  ]);
  equal(wrong.code, 2, wrong.stdout + wrong.stderr);
  match(wrong.stdout, /0 of 2 boards flashed, 2 failed/);
});

Deno.test("image commands print JSON with --json", needsFirmware, async () => {
  const dir = await Deno.makeTempDir();
  const elf = firmware("esp32/esptool-test-images/esp32-app-template.elf");
  const saved = await runCli([
    "save-image",
    elf,
    "--chip",
    "esp32",
    "-o",
    `${dir}/app.bin`,
    "--json",
  ]);
  equal(saved.code, 0, saved.stderr);
  const j = JSON.parse(saved.stdout);
  equal(j.output, `${dir}/app.bin`);
  equal(j.bytes, (await Deno.stat(`${dir}/app.bin`)).size);
  const table = await runCli([
    "partition-table",
    firmware("esp32/esptool-test-images/partitions_singleapp.bin"),
    "--json",
  ]);
  equal(table.code, 0, table.stderr);
  equal(JSON.parse(table.stdout).partitions[0].name, "factory");
  const bad = await runCli(["partition-table", `${dir}/none.csv`, "--json"]);
  equal(bad.code, 2);
  deepEqual(Object.keys(JSON.parse(bad.stdout)), ["error"]);
});
