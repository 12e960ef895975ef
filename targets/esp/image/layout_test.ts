import assert from "node:assert/strict";
import { ImageFormatError } from "../../../kernel/mod.ts";
import { type EspAppImage, parseAppImage, readValidAppImage } from "./app_image.ts";
import { type EspImageChip, espImageChip, isFlashMapped, memoryKinds } from "./chips.ts";
import { layoutImage, mergeAdjacent, type NamedSegment } from "./layout.ts";
import { assertSameBytes, readFirmware, skipNoFirmware } from "./testdata.ts";

/**
 * Undoes the layout of an esptool-built image: pieces of RAM segments that were split to fill
 * the gaps before flash-mapped segments are joined again, giving the segments elf2image saw.
 */
function unlayout(chip: EspImageChip, image: EspAppImage): NamedSegment[] {
  const sorted = image.segments.filter((s) => s.address !== 0)
    .map((s) => ({ address: s.address, data: s.data }))
    .sort((a, b) => a.address - b.address);
  const out: NamedSegment[] = [];
  for (const s of sorted) {
    const prev = out[out.length - 1];
    const joinable = prev && !isFlashMapped(chip, s.address) &&
      prev.address + prev.data.length === s.address &&
      memoryKinds(chip, prev.address).join() === memoryKinds(chip, s.address).join();
    if (joinable) {
      const data = new Uint8Array(prev.data.length + s.data.length);
      data.set(prev.data);
      data.set(s.data, prev.data.length);
      out[out.length - 1] = { ...prev, data };
    } else {
      const magic = new DataView(s.data.buffer, s.data.byteOffset).getUint32(0, true);
      out.push({ name: magic === 0xabcd5432 ? ".flash.appdesc" : "", ...s });
    }
  }
  return out;
}

// Images built by a current esptool elf2image (ESP-IDF 4.x/5.x); the 2017 badge images come
// from an esptool that did not merge adjacent sections, so their layout is not reproducible.
const MODERN = [
  ["esp32c3", "esp32c3-beehive-idf/BeeHive_Vscode_4G_01_a0174da.bin"],
  ["esp32c3", "esp32c3-beehive-idf/BeeHive_Vscode_4G_02_fe9a3b4.bin"],
  ["esp32c3", "esp32c3-beehive-idf/BeeHive_Vscode_4G_03_fed64ac.bin"],
  ["esp32c3", "esp32c3-beehive-idf/BeeHive_Vscode_4G_04_1b254f1.bin"],
  ["esp32c3", "esp32c3-beehive-idf/BeeHive_Vscode_4G_05_3d9beaf.bin"],
  ["esp32c3", "esp32c3-beehive-idf/hello_world_1_b75cf0a.bin"],
  ["esp32c3", "esp32c3-beehive-idf/hello_world_2_4e32e84.bin"],
  ["esp32c3", "esp32c3-beehive-idf/bootloader_1_1e1bbcb.bin"],
  ["esp32s2", "esptool-test-images/esp_idf_blink_esp32s2.bin"],
] as const;

Deno.test("layout reproduces esptool-built images byte for byte from their segments", () => {
  if (skipNoFirmware()) return;
  for (const [chipName, file] of MODERN) {
    const chip = espImageChip(chipName);
    const bytes = readFirmware(file);
    const image = readValidAppImage(bytes, file);
    const rebuilt = layoutImage(unlayout(chip, image), {
      chip,
      entry: image.entry,
      flashMode: image.flashMode,
      flashSizeFreq: image.flashSizeFreq,
      minRev: image.ext.minRev,
      minRevFull: image.ext.minRevFull,
      maxRevFull: image.ext.maxRevFull,
      appendDigest: image.ext.hashAppended === 1,
    });
    assert.equal(rebuilt.length, bytes.length, file);
    assertSameBytes(rebuilt, bytes, file);
  }
});

Deno.test("flash-mapped segments land at file offsets congruent to their address", () => {
  if (skipNoFirmware()) return;
  const chip = espImageChip("esp32c3");
  const image = parseAppImage(readFirmware(MODERN[0][1]));
  const rebuilt = parseAppImage(layoutImage(unlayout(chip, image), {
    chip,
    entry: 0,
    flashMode: 2,
    flashSizeFreq: 0x20,
  }));
  const mapped = rebuilt.segments.filter((s) => isFlashMapped(chip, s.address));
  assert.equal(mapped.length, 2);
  for (const s of mapped) assert.equal((s.fileOffset! + 8) % 0x10000, s.address % 0x10000);
});

Deno.test("zero padding segments appear when no RAM is left to fill a gap", () => {
  const chip = espImageChip("esp32c3");
  const segs: NamedSegment[] = [
    { name: ".flash.rodata", address: 0x3c000020, data: new Uint8Array(0x100).fill(1) },
    { name: ".flash.text", address: 0x42010020, data: new Uint8Array(0x40).fill(2) },
  ];
  const image = parseAppImage(
    layoutImage(segs, { chip, entry: 0x42010020, flashMode: 2, flashSizeFreq: 0 }),
  );
  assert.deepEqual(image.segments.map((s) => s.address), [0x3c000020, 0, 0x42010020]);
  assert.ok(image.segments[1].data.every((b) => b === 0));
  assert.equal((image.segments[2].fileOffset! + 8) % 0x10000, 0x20);
  assert.equal(image.ext.maxRevFull, 0xffff);
  assert.equal(image.ext.chipId, 5);
});

Deno.test("ESP32 pads a flash segment that ends just past a page boundary", () => {
  const chip = espImageChip("esp32");
  // Data starts at file offset 0x20 and ends 0x10 bytes into the next 64 KiB page.
  const seg = { name: ".flash.rodata", address: 0x3f400020, data: new Uint8Array(0xfff0) };
  const image = parseAppImage(
    layoutImage([seg], { chip, entry: 0, flashMode: 2, flashSizeFreq: 0 }),
  );
  assert.equal(image.segments[0].data.length, 0xfff0 + 0x14);
});

Deno.test("two flash segments in one MMU page are refused", () => {
  const chip = espImageChip("esp32c3");
  const segs: NamedSegment[] = [
    { name: "a", address: 0x42000020, data: new Uint8Array(4) },
    { name: "b", address: 0x42000100, data: new Uint8Array(4) },
  ];
  assert.throws(
    () => layoutImage(segs, { chip, entry: 0, flashMode: 0, flashSizeFreq: 0 }),
    (e: unknown) => e instanceof ImageFormatError && /same 64 KB flash page/.test(e.message),
  );
});

Deno.test("mergeAdjacent joins touching sections of one memory kind only", () => {
  const chip = espImageChip("esp32");
  const merged = mergeAdjacent(chip, [
    { name: ".iram0.vectors", address: 0x40080000, data: new Uint8Array(0x400) },
    { name: ".iram0.text", address: 0x40080400, data: new Uint8Array(0x10) },
    { name: ".dram0.data", address: 0x3ffb0000, data: new Uint8Array(8) },
    { name: ".rtc", address: 0x400c0000, data: new Uint8Array(8) },
  ]);
  assert.deepEqual(merged.map((s) => [s.name, s.data.length]), [
    [".iram0.vectors", 0x410],
    [".dram0.data", 8],
    [".rtc", 8],
  ]);
});

Deno.test("ESP image header fields that would wrap are refused", () => {
  const chip = espImageChip("esp32c3");
  const seg = { name: ".flash.text", address: 0x42000020, data: new Uint8Array(0x40) };
  const base = { chip, entry: 0x42000020, flashMode: 2, flashSizeFreq: 0 };
  assert.ok(layoutImage([seg], base).length > 0);
  for (
    const bad of [{ minRevFull: 0x10000 }, { maxRevFull: -1 }, { minRev: 256 }, { flashMode: 300 }]
  ) {
    assert.throws(
      () => layoutImage([seg], { ...base, ...bad }),
      (e: unknown) => e instanceof ImageFormatError,
      JSON.stringify(bad),
    );
  }
});
