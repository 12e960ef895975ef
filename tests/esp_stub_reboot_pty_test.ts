/**
 * One simulated ESP32-C3 served on a pty (as `deno task sim esp32c3` does, in real time): a
 * run with the flasher stub that ends with `after: no-reset` leaves the stub by FLASH_END with
 * the reboot flag, the chip restarts into its ROM loader (the pty has no modem lines: the
 * strap stays at download), and a second, ROM-only run connects with a plain SYNC.
 */
import assert from "node:assert/strict";
import { createContext, flash, Registry } from "../kernel/mod.ts";
import { formats } from "../plugins/formats/mod.ts";
import { hashes } from "../plugins/hash/mod.ts";
import { serial } from "../plugins/serial/mod.ts";
import { EspSimBank } from "../sim/esp/plugin.ts";
import { servePty } from "../sim/esp/serve_pty.ts";
import { PtyMaster, ptyUnavailable } from "../sim/pty.ts";
import { espTargets } from "../targets/esp/plugin.ts";
import { pseudoRandom } from "./support/random.ts";

const unavailable = ptyUnavailable();
if (unavailable) console.log(`skipping stub reboot pty test: ${unavailable}`);

const FLASH_END = 0x04;

Deno.test({
  name: "esp pty: a stub run with after=no-reset, then a ROM-only run on the same chip",
  ignore: unavailable !== undefined,
  async fn() {
    const bank = new EspSimBank();
    const dev = await bank.device("sim:esp32c3?usb=uart");
    const master = PtyMaster.open();
    const server = servePty(dev, master);
    const registry = new Registry();
    for (const p of [hashes(), formats(), serial(), espTargets()]) await registry.use(p);
    const run = (bytes: Uint8Array, options: Record<string, unknown>) =>
      flash(registry, createContext(), {
        target: "esp32c3",
        inputs: [{ file: "app.bin", address: 0x10000, bytes, format: "bin" }],
        connect: { port: master.path, baud: 921600, options: { before: "no-reset", ...options } },
      });
    try {
      const app = pseudoRandom(24 * 1024, 18);
      const first = await run(app, { stub: true, after: "no-reset" });
      assert.equal(first.device.details?.loader, "stub");
      const leave = dev.history.filter((h) => h.op === FLASH_END && h.loader === "stub");
      assert.deepEqual(leave.map((h) => h.status), [0, 0], "write end, then the reboot");
      assert.deepEqual(dev.flash.bytes.subarray(0x10000, 0x10000 + app.length), app);
      await waitFor(() => dev.mode === "rom");

      const mark = dev.history.length;
      const edited = app.slice();
      edited[100] ^= 0xff;
      const second = await run(edited, { stub: false });
      assert.equal(second.device.details?.loader, "ROM");
      assert.deepEqual(second.plan.runs.map((r) => r.address), [0x10000]);
      const later = dev.history.slice(mark);
      assert.ok(later.length > 0 && later.every((h) => h.loader === "rom"), "ROM only");
      assert.equal(later[0].op, 0x08, "the second run began with SYNC");
      assert.deepEqual(dev.flash.bytes.subarray(0x10000, 0x10000 + edited.length), edited);
    } finally {
      await server.stop();
      master.close();
    }
  },
});

async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}
