import { createContext, flash, VirtualClock } from "../kernel/mod.ts";
import { espSim, EspSimBank } from "../sim/esp/plugin.ts";
import { espTargets } from "../targets/esp/plugin.ts";
import { loadFor, registryWith } from "./harness.ts";
import { countWire, preload } from "./esp.ts";
import { espScenarios } from "./scenarios.ts";
const [only, strategy = "auto", baud = "115200", lat = "16", rec = ""] = Deno.args;
import { recordAfter, touchedBlocks } from "../kernel/mod.ts";
const all = await espScenarios();
const sc = all.find((s: { suite: string; name: string }) =>
  `${s.suite} · ${s.name}`.includes(only)
)!;
const bank = new EspSimBank({ latencyMs: +lat });
const registry = await registryWith(espSim(bank), espTargets());
const old = await loadFor(registry, sc.target, sc.old);
const dev = await preload(bank, sc, old);
const wire = countWire(dev);
const clock = new VirtualClock();
let last = 0;
const ctx = createContext({
  clock,
  onEvent(e) {
    if (e.type === "stage") {
      console.log(
        `${clock.now().toFixed(0).padStart(6)} +${
          (clock.now() - last).toFixed(0).padStart(5)
        } ${e.stage} ${e.state}`,
      );
      last = clock.now();
    }
  },
});
const r = await flash(registry, ctx, {
  target: sc.target,
  inputs: sc.new,
  mode: "diff",
  ...(rec
    ? {
      record: {
        load: () =>
          Promise.resolve(
            recordAfter(
              undefined,
              old,
              touchedBlocks(old, {
                regions: [{
                  name: "f",
                  start: 0,
                  size: dev.flash.size,
                  blockSize: 4096,
                  erasedValue: 255,
                }],
              }),
              registry.hash("md5"),
              () => 255,
              true,
            ),
          ),
        save: () => Promise.resolve(),
      },
    }
    : {}),
  connect: {
    port: sc.address,
    baud: +baud,
    options: { hashStrategy: strategy, latencyMs: +lat, after: "no-reset-no-stub" },
  },
});
console.log(
  clock.now(),
  wire(),
  r.plan.totals,
  dev.history.map((h: { op?: number }) => h.op?.toString(16)).join(" "),
);
