/**
 * `info` on every simulated ESP chip shows revision, MAC and security state, and agrees with
 * what Espressif's esptool-js reads from the same simulated chip.
 */
import { equal, match, ok } from "node:assert/strict";
import { ESPLoader, Transport } from "esptool-js";
import { createContext, Registry, VirtualClock } from "../kernel/mod.ts";
import { ESP_CHIPS } from "../sim/esp/chips.ts";
import { espSim, EspSimBank } from "../sim/esp/plugin.ts";
import { WebSerialSimPort } from "../sim/esp/webserial.ts";
import { hashes } from "../plugins/hash/mod.ts";
import { espTargets } from "../targets/esp/plugin.ts";
import { runCli } from "./support/run_cli.ts";

const hexMac = (mac: readonly number[]) =>
  mac.map((b) => b.toString(16).padStart(2, "0")).join(":");

Deno.test("info --json shows revision, MAC and security on every simulated ESP chip", async () => {
  for (const chip of Object.values(ESP_CHIPS)) {
    const r = await runCli(["info", "--target", chip.id, "--port", `sim:${chip.id}`, "--json"]);
    equal(r.code, 0, `${chip.id}: ${r.stderr}`);
    const { details } = JSON.parse(r.stdout);
    equal(details.revision, chip.revision, chip.id);
    equal(details.package.split(" ")[0], String(chip.package), chip.id);
    equal(details.MAC, hexMac(chip.mac), chip.id);
    if (chip.romSecurityInfo === "unsupported") {
      equal(details.security, "not reported by this ROM", chip.id);
    } else {
      equal(details.security, "secure boot off, flash encryption off (SPI_BOOT_CRYPT_CNT 0)");
    }
    // Facts known at connect time are still there.
    match(details["flash id"], /^0x1[4-8]40ef$/, chip.id);
  }
});

Deno.test("info (text) lists revision and MAC first", async () => {
  const r = await runCli(["info", "--target", "esp32c3", "--port", "sim:esp32c3"]);
  equal(r.code, 0, r.stderr);
  const lines = r.stdout.split("\n");
  equal(lines[0], "chip:        ESP32-C3");
  equal(lines[1], "revision:    v0.4");
  equal(lines[2], "MAC:         58:cf:79:00:00:05");
  ok(lines.includes("security:    secure boot off, flash encryption off (SPI_BOOT_CRYPT_CNT 0)"));
});

Deno.test("Secure Download Mode: info reports it from GET_SECURITY_INFO; flashing stops at hashing", async () => {
  for (const chip of ["esp32c3", "esp32s2", "esp32c2"]) {
    // A state file of its own gives a fresh simulated chip (the bank keeps one per address).
    const port = `sim:${chip}?sdm=1&state=${await Deno.makeTempDir()}/${chip}.bin`;
    const r = await runCli([
      "info",
      "--target",
      chip,
      "--port",
      port,
      "--baud",
      "921600",
      "--json",
    ]);
    equal(r.code, 0, `${chip}: ${r.stderr}`);
    const { chip: name, details } = JSON.parse(r.stdout);
    equal(name, ESP_CHIPS[chip].name);
    equal(
      details.security,
      "secure boot off, flash encryption off (SPI_BOOT_CRYPT_CNT 0), Secure Download Mode",
    );
    equal(details.MAC, "not readable in Secure Download Mode");
    equal(details.package, "not readable in Secure Download Mode");
    equal(details.revision, "not readable in Secure Download Mode");
    equal(details["flash id"], undefined);
  }
  const r = await runCli([
    "flash",
    "--target",
    "esp32c3",
    "--port",
    `sim:esp32c3?sdm=1&state=${await Deno.makeTempDir()}/c3.bin`,
    "examples/firmware/dist/esp32c3-blink-v1.bin@0x10000",
  ]);
  equal(r.code, 1);
  match(r.stderr, /Secure Download Mode, whose ROM refuses SPI_FLASH_MD5/);
});

const quiet = { clean() {}, writeLine() {}, write() {} };
const opts = { sanitizeOps: false, sanitizeResources: false };

/** MAC and revision as esptool-js 0.7.0 reads them from a simulated chip (ROM, no stub). */
async function esptoolJs(bank: EspSimBank, chip: string) {
  const ctx = createContext({ clock: new VirtualClock() });
  const port = await new WebSerialSimPort(bank, ctx, `sim:${chip}`).init();
  // deno-lint-ignore no-explicit-any
  const transport = new Transport(port as any);
  const loader = new ESPLoader({ transport, baudrate: 115200, terminal: quiet });
  await loader.detectChip();
  const mac: string = await loader.chip.readMac(loader);
  const description: string = await loader.chip.getChipDescription(loader);
  await transport.disconnect();
  return { mac, description };
}

/** Our target's `describe` against the same simulated chip. */
async function ours(bank: EspSimBank, chip: string) {
  const registry = new Registry();
  await registry.use(hashes());
  await registry.use(espSim(bank));
  await registry.use(espTargets());
  const ctx = createContext({ clock: new VirtualClock() });
  const device = await registry.target(chip).connect(ctx, { port: `sim:${chip}` });
  try {
    return (await device.describe!(ctx)).details!;
  } finally {
    await device.close();
  }
}

for (const chip of ["esp32", "esp32c3", "esp32s3", "esp32s2", "esp32h2"]) {
  Deno.test(`${chip}: MAC and revision agree with esptool-js`, opts, async () => {
    const bank = new EspSimBank();
    const peer = await esptoolJs(bank, chip);
    const mine = await ours(bank, chip);
    equal(mine.MAC, peer.mac);
    // esptool-js prints `(revision vX.Y)`, or for the ESP32 the major alone: `(revision 3)`.
    const m = /\(revision v?(\d+)(?:\.(\d+))?\)/.exec(peer.description);
    ok(m, peer.description);
    const [major, minor] = mine.revision.slice(1).split(".");
    equal(m[1], major, peer.description);
    if (m[2] !== undefined) equal(m[2], minor, peer.description);
  });
}
