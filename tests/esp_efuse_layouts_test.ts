/**
 * Each ESP chip's eFuse layout (revision, package, MAC) against the simulator's eFuse words:
 * every chip decodes to what its simulated words encode, and the words are chosen so that a
 * chip reading them with any other chip's bit positions gets another revision or package (so
 * the first test fails if a chip is given another chip's layout, as the C6 once had the C3's).
 */
import { equal, notDeepEqual } from "node:assert/strict";
import { ESP_CHIPS } from "../sim/esp/chips.ts";
import { RegisterFile } from "../sim/esp/registers.ts";
import { CHIPS } from "../targets/esp/chips.ts";
import {
  type BitField,
  decodeMac,
  decodePackage,
  decodeRevision,
  efuseAddresses,
  type EfuseMap,
  formatRevision,
} from "../targets/esp/efuse.ts";

/** The simulated chip's answers to READ_REG for every word `map` needs. */
function simWords(chip: string, map: EfuseMap): Map<number, number> {
  const regs = new RegisterFile(ESP_CHIPS[chip], () => 0, () => 115200);
  return new Map(efuseAddresses(map).map((a) => [a, regs.read(a)]));
}

/** Revision and package as `info` reads them. */
function facts(map: EfuseMap, words: Map<number, number>) {
  return {
    revision: formatRevision(decodeRevision(map, words)),
    package: decodePackage(map, words),
  };
}

/**
 * `other`'s bit positions moved to `chip`'s eFuse block: what a reader using `other`'s layout
 * would get on `chip` (fields are placed relative to the MAC's word, the start of BLOCK1 on
 * every chip but the C2 and the ESP32, whose blocks start there too for this purpose).
 */
function rebase(other: EfuseMap, chip: EfuseMap): EfuseMap {
  const d = chip.mac - other.mac;
  const f = (x: BitField): BitField => ({ ...x, addr: x.addr + d });
  const r = other.revision;
  return {
    mac: chip.mac,
    package: other.package.map(f),
    revision: r.kind === "esp32" ? { ...r, word3: r.word3 + d, word5: r.word5 + d } : {
      ...r,
      major: r.major.map(f),
      minor: r.minor.map(f),
      eco0: r.eco0 && { blkMajor: f(r.eco0.blkMajor), blkMinor: f(r.eco0.blkMinor) },
    },
  };
}

const hexMac = (mac: readonly number[]) =>
  mac.map((b) => b.toString(16).padStart(2, "0")).join(":");

Deno.test("every ESP chip decodes the revision, package and MAC its simulated eFuse words hold", () => {
  for (const [name, chip] of Object.entries(CHIPS)) {
    const sim = ESP_CHIPS[name];
    const words = simWords(name, chip.efuse);
    equal(formatRevision(decodeRevision(chip.efuse, words)), sim.revision, name);
    equal(decodePackage(chip.efuse, words), sim.package, name);
    equal(decodeMac(chip.efuse, words), hexMac(sim.mac), name);
  }
});

Deno.test("the ESP32-C6 reads revision and package from BLOCK1 word 3 (bits 18–21, 22–23, 24–26)", () => {
  const c6 = CHIPS.esp32c6.efuse;
  const w = (word3: number, word5 = 0) =>
    facts(
      c6,
      new Map(
        efuseAddresses(c6).map((a) => [a, a === 0x600b0850 ? word3 : a === 0x600b0858 ? word5 : 0]),
      ),
    );
  equal(w((9 << 18) | (1 << 22)).revision, "v1.9");
  equal(w(3 << 22).revision, "v3.0");
  equal(w(2 << 24).package, 2);
  // Word 5 is not the C6's: whatever it holds leaves the revision alone.
  equal(w(2 << 18, 0xffffffff).revision, "v0.2");
});

Deno.test("the simulator's eFuse words tell every chip's layout from every other chip's", () => {
  for (const [name, chip] of Object.entries(CHIPS)) {
    const own = facts(chip.efuse, simWords(name, chip.efuse));
    for (const [otherName, other] of Object.entries(CHIPS)) {
      if (otherName === name) continue;
      // The S3's layout is the C3's plus a rule for v0.0 chips with block version v1.1; C3
      // words shaped like that would be made-up data, so that one pair is told apart one way.
      if (name === "esp32c3" && otherName === "esp32s3") continue;
      const moved = rebase(other.efuse, chip.efuse);
      notDeepEqual(
        facts(moved, simWords(name, moved)),
        own,
        `${name}'s eFuse words read with ${otherName}'s layout look the same`,
      );
    }
  }
});
