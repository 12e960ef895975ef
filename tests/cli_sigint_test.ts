// Ctrl-C during a real-time flash: the run stops with a typed error and a hint (exit 130), the simulated
// chip keeps what was written, and the same command finishes the job.
import { equal, match } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runCli } from "./support/run_cli.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const app = `${root}examples/firmware/dist/esp32c3-blink-v1.bin@0x10000`;

Deno.test("SIGINT mid-write stops cleanly and a rerun repairs", async () => {
  const state = `${await Deno.makeTempDir()}/chip.bin`;
  const port = `sim:esp32c3?state=${state}`;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "cli.ts",
      "flash",
      "--realtime",
      "--target",
      "esp32c3",
      "--port",
      port,
      app,
    ],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const decoder = new TextDecoder();
  let stderr = "";
  const reader = child.stderr.getReader();
  while (!stderr.includes("erasing and writing")) {
    const { value, done } = await reader.read();
    if (done) break;
    stderr += decoder.decode(value);
  }
  await new Promise((r) => setTimeout(r, 1500)); // let a few sectors go out (about 3 s in all)
  child.kill("SIGINT");
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    stderr += decoder.decode(value);
  }
  const status = await child.status;
  await child.stdout.cancel();
  equal(status.code, 130, stderr);
  match(stderr, /error: operation aborted\nhint: run the same command again/);
  const rerun = await runCli(["flash", "--target", "esp32c3", "--port", port, app, "--json"]);
  equal(rerun.code, 0, rerun.stderr);
  equal(JSON.parse(rerun.stdout).plan.totals.blocks, 9);
  // The simulated chip's flash (saved to its state file) now holds the image.
  const image = await Deno.readFile(app.replace(/@0x10000$/, ""));
  const flash = await Deno.readFile(state);
  equal(flash.subarray(0x10000, 0x10000 + image.length).every((b, i) => b === image[i]), true);
});
