import assert from "node:assert/strict";
import { findChip } from "./esp/chips.ts";
import { EspDevice } from "./esp/device.ts";
import { Op, SYNC_PAYLOAD } from "./esp/protocol.ts";
import { MAGIC_REG } from "./esp/registers.ts";
import { servePty } from "./esp/serve_pty.ts";
import { TtyWire } from "./esp/tty_wire.ts";
import { request, words } from "./esp/testing.ts";
import { PtyMaster, ptyUnavailable } from "./pty.ts";

const unavailable = ptyUnavailable();
if (unavailable) console.log(`skipping pty tests: ${unavailable}`);

const SYNC_REPLY = Uint8Array.from([1, 8, 4, 0, 7, 7, 0x12, 0x20, 0, 0, 0, 0]);

/** Serves a fresh ESP32 on a pty for `body`, then closes everything in order. */
async function served(
  body: (device: EspDevice, master: PtyMaster, wire: TtyWire) => Promise<void>,
): Promise<void> {
  const master = PtyMaster.open();
  assert.match(master.path, /^\/dev\/pts\/\d+$/);
  const device = new EspDevice(findChip("esp32")!);
  const server = servePty(device, master);
  const wire = TtyWire.open(master.path);
  try {
    await body(device, master, wire);
  } finally {
    await wire.close();
    await server.stop();
    master.close();
  }
}

Deno.test({
  name: "a simulated ESP32 answers SYNC through a real pty",
  ignore: unavailable !== undefined,
  async fn() {
    await served(async (_device, master, wire) => {
      assert.deepEqual((await wire.sync()).raw, SYNC_REPLY);
      assert.equal(master.baudRate(), 115200);
    });
  },
});

Deno.test({
  name:
    "pty: a host that resends SYNC connects once a chip held in reset boots; late replies are skipped",
  ignore: unavailable !== undefined,
  async fn() {
    await served(async (device, _master, wire) => {
      device.setLines(undefined, true); // held in reset: the UART hears nothing
      const connected = wire.sync();
      for (let i = 0; wire.syncsSent < 3; i++) {
        assert.ok(i < 2000, "SYNC was not resent"); // a hang guard, not a timing check
        await new Promise((r) => setTimeout(r, 10));
      }
      device.setLines(undefined, false); // boots into the ROM loader (the strap is held)
      assert.deepEqual((await connected).raw, SYNC_REPLY);
      // Two more SYNCs: their sixteen replies come before the next command's reply.
      await wire.send(request(Op.SYNC, SYNC_PAYLOAD));
      await wire.send(request(Op.SYNC, SYNC_PAYLOAD));
      const reg = await wire.command(Op.READ_REG, words(MAGIC_REG));
      assert.equal(reg.value, findChip("esp32")!.magic);
      assert.ok(wire.frames.filter((f) => f.op === Op.SYNC).length >= 24);
    });
  },
});
