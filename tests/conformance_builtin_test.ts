// The conformance kit run against every built-in target on its simulator: the ESP chips
// through the `sim:` serial transport, the micro:bit boards and the nRF52840-DK through the
// `sim:` DAP probe.
import { Registry } from "../kernel/mod.ts";
import { formats } from "../plugins/formats/mod.ts";
import { hashes } from "../plugins/hash/mod.ts";
import { espTargets } from "../targets/esp/plugin.ts";
import { espSim, EspSimBank } from "../sim/esp/plugin.ts";
import { nrfTargets } from "../targets/nrf/plugin.ts";
import { dapSim, DapSimBank } from "../sim/boards/plugin.ts";
import { type ConformanceDevice, conformanceTests } from "../testing.ts";

const ESP_CHIPS = ["esp32", "esp32s2", "esp32s3", "esp32c2", "esp32c3", "esp32c6", "esp32h2"];

async function espSetup(chip: string): Promise<ConformanceDevice> {
  const bank = new EspSimBank();
  const registry = new Registry();
  for (const p of [hashes(), formats(), espTargets(), espSim(bank)]) await registry.use(p);
  const address = `sim:${chip}`;
  const flash = (await bank.device(address)).flash;
  return {
    registry,
    connect: { port: address },
    base: 0x10000,
    blockSize: 0x1000,
    flash: (a, n) => flash.bytes.slice(a, a + n),
    corrupt: (a) => void (flash.bytes[a] ^= 1),
    fill: (a, b) => flash.bytes.set(b, a),
  };
}

for (const chip of ESP_CHIPS) {
  for (const t of conformanceTests({ target: chip, setup: () => espSetup(chip) })) {
    Deno.test(`conformance (${chip} on sim:${chip}): ${t.name}`, t.fn);
  }
}

const MICROBITS = [
  { target: "microbit-v1", pageSize: 1024 },
  { target: "microbit-v2", pageSize: 4096 },
  { target: "nrf52840", pageSize: 4096 },
];

async function microbitSetup(target: string, pageSize: number): Promise<ConformanceDevice> {
  const bank = new DapSimBank();
  const registry = new Registry();
  for (const p of [hashes(), formats(), nrfTargets(), dapSim(bank)]) await registry.use(p);
  const address = `sim:${target}`;
  const flash = (await bank.board(address)).device.flash;
  return {
    registry,
    connect: { probe: address },
    base: 0x20000,
    blockSize: pageSize,
    flash: (a, n) => flash.slice(a, a + n),
    corrupt: (a) => void (flash[a] ^= 1),
    fill: (a, b) => flash.set(b, a),
  };
}

for (const { target, pageSize } of MICROBITS) {
  for (const t of conformanceTests({ target, setup: () => microbitSetup(target, pageSize) })) {
    Deno.test(`conformance (${target} on sim:${target}): ${t.name}`, t.fn);
  }
}
