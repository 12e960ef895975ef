import { deepEqual, equal, ok } from "node:assert/strict";
import { CHIPS } from "../targets/esp/chips.ts";
import { ESP_IMAGE_CHIPS } from "../targets/esp/image/chips.ts";
import { decodeMac, decodeRevision, efuseAddresses, formatRevision } from "../targets/esp/efuse.ts";
import { ESP_CHIPS } from "../sim/esp/chips.ts";

// The host's chip files and the simulator's table are written independently (the simulator
// must not import host code); this is where they are held to the same facts.

Deno.test("host and simulator chip tables cover the same chips", () => {
  deepEqual(Object.keys(CHIPS).sort(), Object.keys(ESP_CHIPS).sort());
});

Deno.test("host and simulator agree on every id, offset, register and magic value", () => {
  for (const [target, host] of Object.entries(CHIPS)) {
    const sim = ESP_CHIPS[target];
    equal(host.name, sim.name, target);
    equal(host.chipId, sim.chipId, `${target} chip id`);
    ok(host.magic.includes(sim.magic), `${target} magic 0x${sim.magic.toString(16)}`);
    equal(host.bootloaderOffset, sim.bootloaderOffset, `${target} bootloader offset`);
    const { base, usr, usr1, usr2, w0 } = host.spi;
    deepEqual({ base, usr, usr1, usr2, w0 }, { ...sim.spi }, `${target} SPI registers`);
    equal(host.efuse.mac, sim.macEfuse, `${target} MAC eFuse address`);
    if (host.uartClkdivReg !== undefined) equal(host.uartClkdivReg, sim.uartClkdiv, target);
    const security = !host.securityFlags ? "unsupported" : host.securityInfo ? "full20" : "short12";
    equal(security, sim.romSecurityInfo, `${target} GET_SECURITY_INFO`);
  }
});

Deno.test("the host's eFuse readers decode the simulator's words to its MAC and revision", () => {
  for (const [target, host] of Object.entries(CHIPS)) {
    const sim = ESP_CHIPS[target];
    const words = new Map<number, number>();
    // MAC words as the simulator serves them (low word first), then its other eFuse words.
    const m = sim.mac;
    const low = ((m[2] << 24) | (m[3] << 16) | (m[4] << 8) | m[5]) >>> 0;
    const high = ((m[0] << 8) | m[1]) >>> 0;
    words.set(sim.macEfuse, low);
    words.set(sim.macEfuse + 4, ((sim.efuse[sim.macEfuse + 4] ?? 0) & ~0xffff | high) >>> 0);
    for (const [a, v] of Object.entries(sim.efuse)) {
      if (Number(a) !== sim.macEfuse + 4) words.set(Number(a), v);
    }
    const values = new Map(efuseAddresses(host.efuse).map((a) => [a, words.get(a) ?? 0]));
    equal(
      decodeMac(host.efuse, values),
      m.map((b) => b.toString(16).padStart(2, "0")).join(":"),
      `${target} MAC`,
    );
    equal(formatRevision(decodeRevision(host.efuse, values)), sim.revision, `${target} revision`);
  }
});

Deno.test("the image tools' view and the loader's view of a chip file agree", () => {
  for (const [target, host] of Object.entries(CHIPS)) {
    const image = ESP_IMAGE_CHIPS.find((c) => c.name === target)!;
    equal(image.imageChipId, host.chipId, target);
    equal(image.bootloaderOffset, host.bootloaderOffset, target);
    equal(image.display, host.name, target);
  }
});
