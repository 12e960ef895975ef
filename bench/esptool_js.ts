/**
 * The real peer on the ESP side: Espressif's esptool-js 0.7.0 (npm) flashes the same
 * simulated chip through a WebSerial-shaped port: `main()` (reset, sync, detect, stub,
 * baud change), then a compressed `writeFlash` of the whole image with its MD5 check.
 *
 * esptool-js sleeps with real timers during its reset sequence; those sleeps are not on the
 * virtual clock, so its modelled connect leaves them out (in its favour).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { ESPLoader, Transport } from "esptool-js";
import { createContext, VirtualClock } from "../kernel/mod.ts";
import { espSim, EspSimBank } from "../sim/esp/plugin.ts";
import { WebSerialSimPort } from "../sim/esp/webserial.ts";
import { espTargets } from "../targets/esp/plugin.ts";
import { countWire, ESP_DEFAULT_BAUD, preload } from "./esp.ts";
import { holds, loadFor, registryWith } from "./harness.ts";
import type { RunMetrics } from "./measure.ts";
import type { Scenario } from "./scenarios.ts";
import type { BenchParams } from "./params.ts";

const quiet = { clean() {}, writeLine(_: string) {}, write(_: string) {} };
const md5hex = (b: Uint8Array) => createHash("md5").update(b).digest("hex");

/** Flashes the scenario's new image with esptool-js; modelled time on a fresh clock. */
export async function runEsptoolJs(sc: Scenario, p: BenchParams): Promise<RunMetrics> {
  const bank = new EspSimBank({ latencyMs: p.latencyMs });
  const registry = await registryWith(espSim(bank), espTargets());
  const oldImage = await loadFor(registry, sc.target, sc.old);
  const newImage = await loadFor(registry, sc.target, sc.new);
  const dev = await preload(bank, sc, oldImage);
  const wire = countWire(dev);
  const clock = new VirtualClock();
  const ctx = createContext({ clock });
  const port = await new WebSerialSimPort(bank, ctx, sc.address).init();
  // deno-lint-ignore no-explicit-any
  const transport = new Transport(port as any);
  // Its transport prints some trace lines whatever `tracing` says.
  Object.assign(transport, { trace() {} });
  const loader = new ESPLoader({
    transport,
    baudrate: p.baud ?? ESP_DEFAULT_BAUD,
    terminal: quiet,
  });
  await loader.main();
  const connectMs = clock.now();
  await loader.writeFlash({
    fileArray: newImage.segments.map((s) => ({ data: s.data, address: s.address })),
    flashMode: "keep",
    flashFreq: "keep",
    flashSize: "keep",
    eraseAll: false,
    compress: true,
    calculateMD5Hash: md5hex,
  });
  const ms = clock.now();
  await transport.disconnect();
  return {
    ms,
    connectMs,
    ...wire(),
    erased: dev.flash.counters.sectorsErased,
    programmedKiB: dev.flash.counters.pagesProgrammed / 4,
    ok: holds(newImage, (a, n) => dev.flash.read(a, n)),
  };
}
