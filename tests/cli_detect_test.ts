/**
 * Without --target: the ESP chip on a serial port (as esptool and espflash find it) and the
 * target from a CMSIS-DAP probe's board id (as pyOCD does); `flash` names the chip, MAC and
 * flash size before writing.
 *
 * @module
 */
import { equal, match, ok } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ptyAvailable } from "../plugins/serial/pty.ts";
import { runCli } from "./support/run_cli.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const dist = `${root}examples/firmware/dist/`;
const espApp = `${dist}esp32c3-blink-v1.bin@0x10000`;

async function state(): Promise<string> {
  return `${await Deno.makeTempDir({ prefix: "deltaflash-detect-" })}/flash.bin`;
}

Deno.test("info without --target names each simulated ESP chip it finds", async () => {
  for (
    const [chip, name] of [["esp32", "ESP32"], ["esp32c3", "ESP32-C3"], ["esp32s3", "ESP32-S3"]]
  ) {
    const r = await runCli(["info", "-p", `sim:${chip}`]);
    equal(r.code, 0, r.stderr);
    match(r.stderr, new RegExp(`^detected ${chip} on sim:${chip}$`, "m"));
    match(r.stdout, new RegExp(`^chip: +${name}$`, "m"));
  }
});

Deno.test("flash without --target: the chip, MAC and flash size come before the write", async () => {
  const r = await runCli(["flash", "-p", `sim:esp32c3?state=${await state()}`, espApp]);
  equal(r.code, 0, r.stderr);
  const line = "ESP32-C3 (revision v0.4), MAC 58:cf:79:00:00:05, 4 MB flash";
  const at = r.stderr.indexOf(line);
  ok(at >= 0, r.stderr);
  ok(at < r.stderr.indexOf("erasing and writing"), r.stderr);
  match(r.stdout, /wrote 9 of 9 sectors/);
  // With --chip too the line is printed.
  const named = await runCli(["plan", "-c", "esp32c3", "-p", "sim:esp32c3", espApp]);
  match(named.stderr, /ESP32-C3 \(revision v0\.4\), MAC 58:cf:79:00:00:05, 4 MB flash/);
});

Deno.test("flash without --target: a CMSIS-DAP probe's board id picks the micro:bit", async () => {
  for (const [board, chip] of [["microbit-v1", "nRF51822"], ["microbit-v2", "nRF52833"]]) {
    const r = await runCli([
      "flash",
      "--probe",
      `sim:${board}?state=${await state()}`,
      `${dist}microbit-blink-v1.hex`,
    ]);
    equal(r.code, 0, r.stderr);
    match(r.stderr, new RegExp(`^detected ${board} on sim:${board}`, "m"));
    match(r.stderr, new RegExp(`^${chip}.*board id \\w+, \\d+ KiB flash$`, "m"));
    match(r.stdout, /wrote \d+ of \d+ pages/);
  }
});

Deno.test("a device that does not answer is an error naming the port; no device at all says what to pass", async () => {
  // The chip runs its app and --before no_reset keeps it there: no loader answers.
  const r = await runCli(["info", "-p", "sim:esp32c3", "--before", "no_reset"]);
  equal(r.code, 1);
  match(r.stderr, /no answer to SYNC from an ESP chip/);
  const none = await runCli(["flash", "-p", "/dev/deltaflash-no-such-port", espApp]);
  equal(none.code, 1);
  match(none.stderr, /\/dev\/deltaflash-no-such-port not found/);
});

Deno.test({
  name: "the ESP chip behind a real tty (deno task sim's pty) is detected without --target",
  ignore: Deno.build.os !== "linux" || !ptyAvailable(),
  async fn() {
    const sim = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "sim/cli.ts", "esp32s3"],
      cwd: root,
      stdout: "piped",
      stderr: "null",
    }).spawn();
    try {
      const reader = sim.stdout.getReader();
      let text = "";
      while (!/\/dev\/pts\/\d+/.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      reader.releaseLock();
      const path = text.match(/\/dev\/pts\/\d+/)![0];
      const r = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "cli.ts", "info", "--port", path],
        cwd: root,
        env: { NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const out = new TextDecoder().decode(r.stdout), err = new TextDecoder().decode(r.stderr);
      equal(r.code, 0, err);
      match(err, new RegExp(`detected esp32s3 on ${path}`));
      match(out, /^MAC: +f4:12:fa:00:00:09$/m);
    } finally {
      sim.kill("SIGTERM");
      await sim.stdout.cancel().catch(() => {});
      await sim.status;
    }
  },
});
