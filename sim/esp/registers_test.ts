import { equal } from "node:assert/strict";
import { ESP_CHIPS } from "./chips.ts";
import { RegisterFile } from "./registers.ts";

const file = (id: string) => new RegisterFile(ESP_CHIPS[id], () => 0, () => 115200);

Deno.test("eFuse MAC words: bytes 2–5 in the low word, 0–1 in the next word's low half", () => {
  const r = file("esp32c3");
  equal(r.read(0x60008844), 0x79000005);
  equal(r.read(0x60008848), 0x58cf);
  equal(r.read(0x60008850), (2 << 21) | (4 << 18), "WAFER_VERSION_MINOR 4: v0.4; package 2");
});

Deno.test("ESP32-C2: the revision shares BLOCK2 word 1 with the MAC's top bytes", () => {
  const r = file("esp32c2");
  equal(r.read(0x60008844), (1 << 20 | 1 << 16 | 0x083a) >>> 0);
});

Deno.test("ESP32: CHIP_VER bits and APB_CTL_DATE bit 31 for revision 3", () => {
  const r = file("esp32");
  equal(r.read(0x3ff5a00c) >> 15 & 1, 1);
  equal(r.read(0x3ff5a014) >> 20 & 1, 1);
  equal(r.read(0x3ff6607c) >>> 31, 1);
});

Deno.test("eFuse words are read-only", () => {
  const r = file("esp32h2");
  r.write(0x600b0850, 0xffffffff);
  r.write(0x600b0848, 0xffffffff);
  equal(r.read(0x600b0850), (1 << 21) | (2 << 18));
  equal(r.read(0x600b0848), 0x6055);
});
