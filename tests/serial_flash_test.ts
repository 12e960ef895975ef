/**
 * A differential ESP flash through the FFI serial port: deltaflash opens `/dev/pts/N` like a
 * USB bridge, and a simulated ESP32-C3 answers on the pty master. The target cannot tell the
 * port from a real one: the baud switch is a TCSETS2 the simulator sees on its side.
 */
import assert from "node:assert/strict";
import { createContext, flash, type FlashResult, Registry, VirtualClock } from "../kernel/mod.ts";
import { formats } from "../plugins/formats/mod.ts";
import { hashes } from "../plugins/hash/mod.ts";
import { serial } from "../plugins/serial/mod.ts";
import { openPty, ptyAvailable } from "../plugins/serial/pty.ts";
import { EspSimBank } from "../sim/esp/plugin.ts";
import { espTargets } from "../targets/esp/plugin.ts";
import { bridgePty } from "./pty_bridge.ts";
import { pseudoRandom } from "./support/random.ts";

const ignore = Deno.build.os !== "linux" || !ptyAvailable();
if (ignore) console.log("skipping FFI serial flash test: no Linux pty");

Deno.test({
  name: "serial: differential flash of a simulated ESP32-C3 through a real tty path",
  ignore,
  async fn() {
    const bank = new EspSimBank();
    const simAddress = "sim:esp32c3?boot=download&usb=uart";
    const pty = openPty();
    const stopBridge = bridgePty(
      pty,
      await bank.open(createContext({ clock: new VirtualClock() }), simAddress),
    );
    const registry = new Registry();
    for (const p of [hashes(), formats(), serial(), espTargets()]) await registry.use(p);
    const run = (bytes: Uint8Array): Promise<FlashResult> =>
      flash(registry, createContext(), {
        target: "esp32c3",
        inputs: [{ file: "app.bin", address: 0x20000, bytes, format: "bin" }],
        connect: { port: pty.slavePath, baud: 2000000 },
      });
    try {
      const dev = await bank.device(simAddress);
      const app = pseudoRandom(40 * 1024, 3);
      const first = await run(app);
      assert.equal(first.device.chip, "ESP32-C3");
      assert.equal(first.plan.totals.write, 10);
      assert.deepEqual(dev.flash.bytes.subarray(0x20000, 0x20000 + app.length), app);
      assert.equal(pty.lineSettings().ospeed, 2000000, "the port switched the tty to 2 Mbaud");

      dev.bootDownload(); // no reset lines on a pty: the user holds BOOT and taps RESET
      const edited = app.slice();
      edited[5] ^= 1;
      edited[39 * 1024] ^= 1;
      const second = await run(edited);
      assert.deepEqual(second.plan.runs.map((r) => r.address), [0x20000, 0x20000 + 9 * 4096]);
      assert.deepEqual(dev.flash.bytes.subarray(0x20000, 0x20000 + edited.length), edited);
    } finally {
      await stopBridge();
      await pty.close();
    }
  },
});
