import { deepEqual, equal, throws } from "node:assert/strict";
import { CHIPS } from "./chips.ts";
import {
  decodeMac,
  decodeRevision,
  efuseAddresses,
  type EfuseMap,
  formatRevision,
  type RegisterValues,
} from "./efuse.ts";

/** Register values for `map`: every needed word 0 unless given. */
function regs(map: EfuseMap, words: Record<number, number>): RegisterValues {
  return new Map(efuseAddresses(map).map((a) => [a, words[a] ?? 0]));
}

Deno.test("MAC: the high word's low half gives bytes 0–1, the low word bytes 2–5 big end first", () => {
  const c3 = CHIPS.esp32c3.efuse;
  // Bits above 15 of the high word belong to other fields and must not leak into the MAC.
  const v = regs(c3, { 0x60008844: 0x79a1b2c3, 0x60008848: 0xdead58cf });
  equal(decodeMac(c3, v), "58:cf:79:a1:b2:c3");
  const esp32 = CHIPS.esp32.efuse;
  equal(esp32.mac, 0x3ff5a004);
  equal(
    decodeMac(esp32, regs(esp32, { 0x3ff5a004: 0xc4000032, 0x3ff5a008: 0x00ab240a })),
    "24:0a:c4:00:00:32",
  );
});

Deno.test("ESP32 revision: esptool's CHIP_VER / APB_CTL_DATE rule and the minor in word 5", () => {
  const m = CHIPS.esp32.efuse;
  const rev = (bit0: number, bit1: number, bit2: number, minor = 0) =>
    formatRevision(decodeRevision(
      m,
      regs(m, {
        0x3ff5a00c: bit0 << 15 | 0x200,
        0x3ff5a014: bit1 << 20 | minor << 24,
        0x3ff6607c: (bit2 << 31) >>> 0,
      }),
    ));
  equal(rev(0, 0, 0), "v0.0");
  equal(rev(1, 0, 0), "v1.0");
  equal(rev(1, 1, 0), "v2.0");
  equal(rev(1, 1, 1), "v3.0");
  equal(rev(1, 1, 1, 1), "v3.1");
  // Combinations the rule does not list count as 0.
  equal(rev(0, 1, 0), "v0.0");
  equal(rev(0, 0, 1), "v0.0");
});

Deno.test("wafer revision: major and split minor fields per chip", () => {
  const c3 = CHIPS.esp32c3.efuse;
  // minor = word5 bit 23 : word3 bits 18–20; major = word5 bits 24–25.
  deepEqual(decodeRevision(c3, regs(c3, { 0x60008850: 4 << 18 })), { major: 0, minor: 4 });
  deepEqual(
    decodeRevision(
      c3,
      regs(c3, { 0x60008850: 3 << 18 | 0xff00ffff, 0x60008858: 1 << 23 | 1 << 24 }),
    ),
    { major: 1, minor: 11 },
  );
  const c2 = CHIPS.esp32c2.efuse;
  // The C2 keeps its version above the MAC's top bytes in BLOCK2 word 1.
  const v = regs(c2, { 0x60008840: 0x8d00000c, 0x60008844: 1 << 20 | 2 << 16 | 0x083a });
  equal(formatRevision(decodeRevision(c2, v)), "v1.2");
  equal(decodeMac(c2, v), "08:3a:8d:00:00:0c");
  const h2 = CHIPS.esp32h2.efuse;
  deepEqual(decodeRevision(h2, regs(h2, { 0x600b0850: 1 << 21 | 2 << 18 })), {
    major: 1,
    minor: 2,
  });
  const s2 = CHIPS.esp32s2.efuse;
  deepEqual(
    decodeRevision(s2, regs(s2, { 0x3f41a050: 1 << 18 | 1 << 20, 0x3f41a054: 3 << 4 })),
    { major: 1, minor: 11 },
  );
});

Deno.test("ESP32-S3 v0.0 with block version v1.1 reads as v0.0 whatever the major field says", () => {
  const s3 = CHIPS.esp32s3.efuse;
  const blk11 = { 0x60007058: 2 << 24, 0x6000706c: 1, 0x60007050: 1 << 24 };
  equal(formatRevision(decodeRevision(s3, regs(s3, blk11))), "v0.0");
  equal(formatRevision(decodeRevision(s3, regs(s3, { 0x60007058: 2 << 24 }))), "v2.0");
  equal(
    formatRevision(decodeRevision(s3, regs(s3, { ...blk11, 0x60007050: 1 << 24 | 2 << 18 }))),
    "v2.2",
  );
});

Deno.test("every chip names each word once and decoding needs only those words", () => {
  for (const chip of Object.values(CHIPS)) {
    const addrs = efuseAddresses(chip.efuse);
    equal(new Set(addrs).size, addrs.length, chip.name);
    equal(addrs.every((a) => a % 4 === 0), true, chip.name);
    const v = regs(chip.efuse, {});
    equal(formatRevision(decodeRevision(chip.efuse, v)), "v0.0", chip.name);
    equal(decodeMac(chip.efuse, v), "00:00:00:00:00:00", chip.name);
  }
  throws(() => decodeMac(CHIPS.esp32.efuse, new Map()), /was not read/);
});
