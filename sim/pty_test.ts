import assert from "node:assert/strict";
import { findChip } from "./esp/chips.ts";
import { EspDevice } from "./esp/device.ts";
import { servePty } from "./esp/serve_pty.ts";
import { SlipDecoder, slipEncode } from "./esp/slip.ts";
import { PtyMaster, ptyUnavailable } from "./pty.ts";

const unavailable = ptyUnavailable();
if (unavailable) console.log(`skipping pty tests: ${unavailable}`);

Deno.test({
  name: "a simulated ESP32 answers SYNC through a real pty",
  ignore: unavailable !== undefined,
  async fn() {
    const master = PtyMaster.open();
    assert.match(master.path, /^\/dev\/pts\/\d+$/);
    const device = new EspDevice(findChip("esp32")!);
    const server = servePty(device, master);
    const client = await Deno.open(master.path, { read: true, write: true });
    try {
      const sync = new Uint8Array([
        0,
        8,
        36,
        0,
        0,
        0,
        0,
        0,
        7,
        7,
        0x12,
        0x20,
        ...Array(32).fill(0x55),
      ]);
      await client.write(slipEncode(sync));
      const dec = new SlipDecoder();
      const frames: Uint8Array[] = [];
      const buf = new Uint8Array(4096);
      while (frames.length < 8) {
        const n = await client.read(buf);
        if (n === null) break;
        frames.push(...dec.push(buf.subarray(0, n)));
      }
      assert.equal(frames.length, 8);
      assert.deepEqual(frames[0], Uint8Array.from([1, 8, 4, 0, 7, 7, 0x12, 0x20, 0, 0, 0, 0]));
      assert.equal(master.baudRate(), 115200);
    } finally {
      client.close();
      await server.stop();
      master.close();
    }
  },
});
