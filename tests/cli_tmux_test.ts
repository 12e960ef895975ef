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
      // No flash record: a tmux server may predate this test run's environment.
      `DELTAFLASH_RECORDS= '${Deno.execPath()}' run -A cli.ts flash --target esp32c3 --realtime ` +
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

/** Runs `cli` (arguments to cli.ts) in a tmux pane; `during` sees each captured screen. */
async function inTmux(
  cli: string,
  during: (screen: string, session: string) => Promise<void> | void = () => {},
): Promise<string[]> {
  const session = `deltaflash-test-${Deno.pid}-${Math.random().toString(36).slice(2, 8)}`;
  // No flash record: a tmux server may predate this test run's environment.
  const cmd =
    `cd '${root}'; DELTAFLASH_RECORDS= '${Deno.execPath()}' run -A cli.ts ${cli}; echo EXIT=$?; sleep 60`;
  await tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", cmd);
  const frames: string[] = [];
  try {
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const screen = await tmux("capture-pane", "-p", "-t", session);
      frames.push(screen);
      if (/EXIT=\d+/.test(screen)) break;
      await during(screen, session);
      await new Promise((r) => setTimeout(r, 40));
    }
  } finally {
    await tmux("kill-session", "-t", session);
  }
  return frames;
}

/** Written (▓) cells of the map row at 0x10000 in a screen, or undefined. */
const writtenCells = (screen: string) =>
  screen.match(/^00010000 {2}(\S+)/m)?.[1].split("▓").length! - 1;

Deno.test({
  name: "tmux: the sector map fills block by block while the write runs",
  ignore: !hasTmux,
  async fn() {
    const state = `${await Deno.makeTempDir()}/c3.bin`;
    const frames = await inTmux(
      `flash -c esp32c3 --realtime -p 'sim:esp32c3?state=${state}' ` +
        "examples/firmware/dist/esp32c3-blink-v1.bin@0x10000",
    );
    match(frames[frames.length - 1], /EXIT=0/);
    const counts = frames.filter((f) => /^erasing and writing/m.test(f)).map(writtenCells)
      .filter((n): n is number => n !== undefined);
    // Cells turn "written" one after another, not all at once at the end.
    const seen = [...new Set(counts)];
    ok(seen.filter((n) => n > 0 && n < 9).length >= 2, `written cells seen: ${seen.join(", ")}`);
    for (let i = 1; i < counts.length; i++) ok(counts[i] >= counts[i - 1], counts.join(","));
  },
});

Deno.test({
  name: "tmux: a target's log line prints above the live frame, which stays whole",
  ignore: !hasTmux,
  async fn() {
    const dir = await Deno.makeTempDir();
    // Two UICR customer words beside the program.
    await Deno.writeTextFile(
      `${dir}/uicr.hex`,
      ":020000041000EA\n:0810800078563412EFBEADDE1C\n:00000001FF\n",
    );
    const frames = await inTmux(
      `flash -c microbit-v2 --realtime --probe 'sim:microbit-v2?state=${dir}/nrf.bin' ` +
        `examples/firmware/dist/microbit-blink-v1-nrf52.hex ${dir}/uicr.hex`,
    );
    const last = frames[frames.length - 1];
    match(last, /EXIT=0/, last);
    match(last, /^UICR: 2 word\(s\) written\n/m);
    equal(last.match(/UICR: 2 word/g)?.length, 1);
    // One map, one legend, one summary: nothing of an older frame is left behind.
    equal(last.match(/^00000000 {2}/gm)?.length, 1, last);
    equal(last.match(/^10001000 {2}█$/gm)?.length, 1, last);
    equal(last.match(/= unchanged/g)?.length, 1, last);
    ok(last.indexOf("UICR") < last.indexOf("00000000"), last);
  },
});

Deno.test({
  name: "tmux: Ctrl-C mid-write leaves a clean screen and exits 130",
  ignore: !hasTmux,
  async fn() {
    const state = `${await Deno.makeTempDir()}/c3.bin`;
    let sent = false;
    const frames = await inTmux(
      `flash -c esp32c3 --realtime -p 'sim:esp32c3?state=${state}' ` +
        "examples/firmware/dist/esp32c3-blink-v1.bin@0x10000",
      async (screen, session) => {
        if (!sent && (writtenCells(screen) ?? 0) >= 2) {
          sent = true;
          await tmux("send-keys", "-t", session, "C-c");
        }
      },
    );
    ok(sent, "the write was never seen");
    const last = frames[frames.length - 1];
    match(last, /EXIT=130/, last);
    match(
      last,
      /^stopping… \(Ctrl-C again to quit at once\)\nerasing and writing[^\n]*\[#*-*\] \d+%.*\n00010000 {2}▓+▫+\n(= unchanged.*\n)?error: operation aborted\nhint: run the same command again/m,
    );
    equal(last.match(/^00010000/gm)?.length, 1, last);
    ok(!last.includes("^C"), last);
  },
});
