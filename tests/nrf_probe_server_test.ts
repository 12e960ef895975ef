/**
 * A simulated micro:bit shared by `probe-server` and flashed through `ws://`: the whole
 * CMSIS-DAP conversation crosses a real WebSocket on loopback.
 */
import { equal } from "node:assert/strict";
import { createContext, flash, Registry, VirtualClock } from "../kernel/mod.ts";
import { formats } from "../plugins/formats/mod.ts";
import { hashes } from "../plugins/hash/mod.ts";
import { dapTransports, serveProbe } from "../plugins/hid/mod.ts";
import { dapSim, DapSimBank } from "../sim/boards/plugin.ts";
import { nrfTargets } from "../targets/nrf/plugin.ts";

const DIR = new URL("../../shared/firmware/microbit/makecode-universal-hex/", import.meta.url);
const corpus = await Deno.stat(DIR).then(() => true, () => false);
if (!corpus) console.log(`skipping probe-server flash test: ${DIR.pathname} is absent`);

Deno.test({
  name: "flash a micro:bit V1 through probe-server over WebSocket",
  ignore: !corpus,
  async fn() {
    const registry = new Registry();
    const bank = new DapSimBank();
    for (const p of [hashes(), formats(), dapSim(bank), dapTransports(), nrfTargets()]) {
      await registry.use(p);
    }
    // Modelled time on both sides: the simulated erase and USB frame times cost no real time.
    const server = await serveProbe(registry, createContext({ clock: new VirtualClock() }), {
      probe: "sim:microbit-v1",
    });
    try {
      const run = (file: string) =>
        flash(registry, createContext({ clock: new VirtualClock() }), {
          target: "microbit-v1",
          inputs: [{ file: new URL(file, DIR).pathname }],
          connect: { probe: server.url, options: { reset: false } },
        });
      const first = await run("microbit-Tug-of-LED.hex");
      equal(first.plan.totals.skip, 0);
      const second = await run("microbit-Dice.hex");
      equal(second.plan.totals.write, 3); // README: Dice ↔ Tug-of-LED differ in 3 1K pages
      const third = await run("microbit-Dice.hex");
      equal(third.plan.totals.write, 0);
    } finally {
      await server.close();
    }
  },
});
