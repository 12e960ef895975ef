// Runs the real CLI in a tmux terminal against a simulated ESP32-C3 (in real time, so the
// live frame can be seen), and checks the screen during and after the flash.
import { equal, match, ok } from "node:assert/strict";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const hasTmux = (() => {
  try {
    return new Deno.Command("tmux", { args: ["-V"], stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
})();
if (!hasTmux) console.log("cli_tmux_test: tmux is not installed (apt-get install tmux); skipped");

async function tmux(...args: string[]): Promise<string> {
  const r = await new Deno.Command("tmux", { args, stdout: "piped", stderr: "piped" }).output();
  return new TextDecoder().decode(r.stdout);
}

Deno.test({
  name: "tmux: a flash shows live progress and the sector map, then the map and summary",
  ignore: !hasTmux,
  async fn() {
    const session = `deltaflash-test-${Deno.pid}`;
    const state = await Deno.makeTempFile({ suffix: ".bin" });
    await Deno.remove(state);
    const cmd = [
      `cd '${root}'`,
      `'${Deno.execPath()}' run -A cli.ts flash --target esp32c3 --realtime ` +
      `--port 'sim:esp32c3?state=${state}' examples/firmware/dist/esp32c3-blink-v1.bin@0x10000`,
      "echo EXIT=$?",
      "sleep 60",
    ].join("; ");
    await tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", cmd);
    const frames: string[] = [];
    try {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const screen = await tmux("capture-pane", "-p", "-t", session);
        frames.push(screen);
        if (/EXIT=\d+/.test(screen)) break;
        await new Promise((r) => setTimeout(r, 40));
      }
    } finally {
      await tmux("kill-session", "-t", session);
      await Deno.remove(state).catch(() => {});
    }
    const last = frames[frames.length - 1];
    match(last, /EXIT=0/, last);
    match(last, /00010000 {2}█{9}/);
    match(last, /wrote 9 of 9 sectors \(36 KiB\) in [\d.]+ m?s, 0 unchanged, verified/);
    match(last, /= unchanged {2}▫ changed {2}▓ written {2}█ verified/);
    // During the run: a progress frame with a bar and a map row, redrawn in place (one copy).
    const during = frames.find((f) => /\[#*-+\] \d+%/.test(f) && /00010000 {2}\S/.test(f));
    ok(during, "no live progress frame was captured");
    equal(during!.match(/00010000 {2}/g)?.length, 1);
  },
});
