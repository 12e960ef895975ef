/** sim/cli.ts end to end: a separate process serves a chip on a pty and persists its flash. */
import assert from "node:assert/strict";
import { SlipDecoder, slipEncode } from "./esp/slip.ts";
import { checksum } from "./esp/protocol.ts";
import { concat, request, words } from "./esp/testing.ts";
import { ptyUnavailable } from "./pty.ts";

const cli = new URL("./cli.ts", import.meta.url).pathname;
const unavailable = ptyUnavailable();
if (unavailable) console.log(`skipping sim/cli.ts test: ${unavailable}`);

async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return text.split("\n")[0].trim();
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
      const tty = await Deno.open(path, { read: true, write: true });
      const dec = new SlipDecoder();
      const frames: Uint8Array[] = [];
      const buf = new Uint8Array(4096);
      const roundTrip = async (packet: Uint8Array, replies = 1) => {
        const want = frames.length + replies;
        await tty.write(slipEncode(packet));
        while (frames.length < want) {
          const n = await tty.read(buf);
          if (n === null) throw new Error("pty closed");
          frames.push(...dec.push(buf.subarray(0, n)));
        }
        return frames[frames.length - 1];
      };
      const sync = Uint8Array.from([7, 7, 0x12, 0x20, ...Array(32).fill(0x55)]);
      await roundTrip(request(0x08, sync), 8);
      await roundTrip(request(0x0d, words(0, 0)));
      await roundTrip(request(0x02, words(0x1000, 1, 0x1000, 0x3000, 0)));
      const block = new Uint8Array(0x1000).fill(0x5a);
      const r = await roundTrip(
        request(0x03, concat(words(0x1000, 0, 0, 0), block), checksum(block)),
      );
      assert.deepEqual(r.subarray(8), Uint8Array.from([0, 0, 0, 0]));
      tty.close();
    } finally {
      child.kill("SIGTERM");
      await child.stdout.cancel().catch(() => {});
      await child.status;
    }
    const saved = await Deno.readFile(state);
    await Deno.remove(state);
    assert.equal(saved.length, 1 << 20);
    assert.ok(saved.subarray(0x3000, 0x4000).every((b) => b === 0x5a));
    assert.equal(saved[0x4000], 0xff);
  },
});
