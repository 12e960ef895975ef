/** sim/cli.ts end to end: a separate process serves a chip on a pty and persists its flash. */
import assert from "node:assert/strict";
import { checksum, Op } from "./esp/protocol.ts";
import { concat, words } from "./esp/testing.ts";
import { TtyWire } from "./esp/tty_wire.ts";
import { ptyUnavailable } from "./pty.ts";

const cli = new URL("./cli.ts", import.meta.url).pathname;
const unavailable = ptyUnavailable();
if (unavailable) console.log(`skipping sim/cli.ts test: ${unavailable}`);

/** Hang guard for each step of the child's life (start, exit): generous, not a timing check. */
const DEADLINE_MS = 30_000;

/** Resolves with `work`, or rejects with `what` once `ms` pass (the timer never outlives it). */
async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The first line the child prints; the reader is released (or cancelled) before returning. */
async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  const read = async () => {
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    return text.split("\n")[0].trim();
  };
  try {
    return await within(read(), DEADLINE_MS, "sim/cli.ts printed no tty path");
  } catch (e) {
    await reader.cancel().catch(() => {});
    throw e;
  } finally {
    reader.releaseLock();
  }
}

/** SIGTERM, then the exit; a child that ignores it is killed and the test fails. */
async function terminate(child: Deno.ChildProcess): Promise<void> {
  child.kill("SIGTERM");
  try {
    await within(child.status, DEADLINE_MS, "sim/cli.ts did not exit on SIGTERM");
  } catch (e) {
    child.kill("SIGKILL");
    await child.status;
    throw e;
  }
}

Deno.test({
  name: "sim/cli.ts serves an ESP32-C3 on a pty and saves its flash on SIGTERM",
  ignore: unavailable !== undefined,
  async fn() {
    const state = await Deno.makeTempFile({ suffix: ".bin" });
    await Deno.remove(state);
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-check", cli, "esp32c3", "--state", state, "--flash", "1MB"],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    try {
      const path = await firstLine(child.stdout);
      assert.match(path, /^\/dev\/pts\/\d+$/);
      // The chip may still be booting when the path appears: sync() resends as esptool does.
      const wire = TtyWire.open(path);
      try {
        const sync = await wire.sync();
        assert.deepEqual(sync.raw, Uint8Array.from([1, 8, 4, 0, 7, 7, 0x12, 0x20, 0, 0, 0, 0]));
        await wire.command(Op.SPI_ATTACH, words(0, 0));
        await wire.command(Op.FLASH_BEGIN, words(0x1000, 1, 0x1000, 0x3000, 0));
        const block = new Uint8Array(0x1000).fill(0x5a);
        const r = await wire.command(
          Op.FLASH_DATA,
          concat(words(0x1000, 0, 0, 0), block),
          checksum(block),
        );
        assert.deepEqual(r.data, Uint8Array.from([0, 0, 0, 0]));
      } finally {
        await wire.close();
      }
    } finally {
      await terminate(child).finally(() => child.stdout.cancel().catch(() => {}));
    }
    const saved = await Deno.readFile(state);
    await Deno.remove(state);
    assert.equal(saved.length, 1 << 20);
    assert.ok(saved.subarray(0x3000, 0x4000).every((b) => b === 0x5a));
    assert.equal(saved[0x4000], 0xff);
  },
});

Deno.test({
  name: "sim/cli.ts stopped by SIGTERM as soon as it prints its tty path exits cleanly",
  ignore: unavailable !== undefined,
  async fn() {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-check", cli, "esp32c3"],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    let path = "";
    try {
      path = await firstLine(child.stdout);
    } finally {
      await terminate(child).finally(() => child.stdout.cancel().catch(() => {}));
    }
    assert.match(path, /^\/dev\/pts\/\d+$/);
    const status = await child.status;
    assert.deepEqual([status.code, status.signal], [0, null], "the handler ran, not the default");
  },
});
