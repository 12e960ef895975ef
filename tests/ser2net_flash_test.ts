/**
 * A differential ESP flash through a real RFC 2217 server: deltaflash → rfc2217 → ser2net →
 * pty → simulated ESP32-C3. The baud switch goes over the wire as SET-BAUDRATE, ser2net
 * applies it to the tty, and the simulator only understands the bytes if it did.
 */
import assert from "node:assert/strict";
import { createContext, flash, type FlashResult, Registry, VirtualClock } from "../kernel/mod.ts";
import { formats } from "../plugins/formats/mod.ts";
import { hashes } from "../plugins/hash/mod.ts";
import { net } from "../plugins/net/mod.ts";
import { openPty } from "../plugins/serial/pty.ts";
import { EspSimBank } from "../sim/esp/plugin.ts";
import { espTargets } from "../targets/esp/plugin.ts";
import { bridgePty } from "./pty_bridge.ts";
import { ser2netMissing, startSer2net } from "./ser2net.ts";
import { pseudoRandom } from "./support/random.ts";

const missing = ser2netMissing();
if (missing) console.log(`skipping ser2net flash test: ${missing}`);

Deno.test({
  name: "ser2net: differential flash of a simulated ESP32-C3 over RFC 2217",
  ignore: !!missing,
  async fn() {
    const bank = new EspSimBank();
    // No modem lines on a pty: the chip waits in download mode, as if BOOT were held.
    const simAddress = "sim:esp32c3?boot=download&usb=uart";
    const simCtx = createContext({ clock: new VirtualClock() });
    const pty = openPty();
    const server = await startSer2net(pty.slavePath);
    const stopBridge = bridgePty(pty, await bank.open(simCtx, simAddress));
    const registry = new Registry();
    for (const p of [hashes(), formats(), net(), espTargets()]) await registry.use(p);
    const run = (bytes: Uint8Array): Promise<FlashResult> =>
      flash(registry, createContext(), {
        target: "esp32c3",
        inputs: [{ file: "app.bin", address: 0x10000, bytes, format: "bin" }],
        connect: { port: server.address, baud: 921600 },
      });
    try {
      const app = pseudoRandom(48 * 1024 + 100);
      const first = await run(app);
      assert.equal(first.device.chip, "ESP32-C3");
      assert.equal(first.plan.totals.write, 13);
      const dev = await bank.device(simAddress);
      assert.deepEqual(dev.flash.bytes.subarray(0x10000, 0x10000 + app.length), app);

      // A pty carries no reset lines: between runs, do what a user would (hold BOOT, tap
      // RESET), otherwise the stub from the first run would still be listening at 921600.
      dev.bootDownload();
      const edited = app.slice();
      edited[20_000] ^= 0x5a;
      const second = await run(edited);
      assert.equal(second.plan.totals.write, 1);
      assert.equal(second.plan.runs[0].address, 0x10000 + Math.floor(20_000 / 4096) * 4096);
      assert.deepEqual(dev.flash.bytes.subarray(0x10000, 0x10000 + edited.length), edited);
      assert.equal(pty.lineSettings().ospeed, 921600, "SET-BAUDRATE reached the tty");
    } finally {
      await stopBridge();
      await server.stop();
      await pty.close();
    }
  },
});
