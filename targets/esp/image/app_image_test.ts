import assert from "node:assert/strict";
import { ImageFormatError } from "../../../kernel/mod.ts";
import {
  checkAppImage,
  espChecksum,
  looksLikeAppImage,
  parseAppImage,
  readValidAppImage,
  serializeAppImage,
} from "./app_image.ts";
import { assertSameBytes, firmwareBins, readFirmware, skipNoFirmware } from "./testdata.ts";

const isPartitionTable = (name: string) => /partition/.test(name);

Deno.test("every ESP app/bootloader .bin parses, validates and round-trips byte for byte", () => {
  if (skipNoFirmware()) return;
  const bins = firmwareBins().filter((f) => !isPartitionTable(f));
  assert.ok(bins.length >= 20, `expected the shared ESP images, found ${bins.length}`);
  for (const name of bins) {
    const bytes = readFirmware(name);
    assert.ok(looksLikeAppImage(bytes), name);
    const image = parseAppImage(bytes, name);
    const check = checkAppImage(image, bytes);
    assert.ok(check.checksumValid, `${name}: checksum`);
    if (image.ext.hashAppended) assert.equal(check.hashValid, true, `${name}: hash`);
    assert.equal(image.segmentCount, image.segments.length, name);
    assert.ok(image.padding.every((b) => b === 0), `${name}: padding is zeros`);
    assertSameBytes(serializeAppImage(image), bytes, `${name}: kept bytes`);
    assertSameBytes(serializeAppImage(image, { recompute: true }), bytes, `${name}: rebuilt`);
  }
});

Deno.test("partition table binaries are recognised as such, not as app images", () => {
  if (skipNoFirmware()) return;
  const tables = firmwareBins().filter(isPartitionTable);
  assert.equal(tables.length, 2);
  for (const name of tables) {
    const bytes = readFirmware(name);
    assert.equal(looksLikeAppImage(bytes), false);
    assert.throws(() => parseAppImage(bytes, name), (e: unknown) => {
      assert.ok(e instanceof ImageFormatError);
      assert.match(e.message, /partition table, not an app image/);
      return true;
    });
  }
});

Deno.test("known header facts of the shared images", () => {
  if (skipNoFirmware()) return;
  const c3 = parseAppImage(readFirmware("esp32c3-beehive-idf/BeeHive_Vscode_4G_01_a0174da.bin"));
  assert.equal(c3.ext.chipId, 5);
  assert.equal(c3.flashMode, 2); // DIO
  assert.equal(c3.flashSizeFreq, 0x2f); // 4 MB, 80 MHz
  assert.equal(c3.ext.hashAppended, 1);
  const badge = parseAppImage(readFirmware("sha2017-badge/sha2017-badge_01_5d05113.bin"));
  assert.equal(badge.ext.chipId, 0);
  assert.equal(badge.segments.length, 8);
  const s2 = parseAppImage(readFirmware("esptool-test-images/esp_idf_blink_esp32s2.bin"));
  assert.equal(s2.ext.chipId, 2);
});

Deno.test("a flipped data byte fails the checksum and the hash with typed errors", () => {
  if (skipNoFirmware()) return;
  const bytes = readFirmware("esp32c3-beehive-idf/bootloader_1_1e1bbcb.bin").slice();
  const image = parseAppImage(bytes);
  const at = image.segments[0].fileOffset! + 8 + 5;
  bytes[at] ^= 0x01;
  assert.throws(() => readValidAppImage(bytes, "x.bin"), /checksum/);
  // Fix the checksum but not the hash: the hash must catch it.
  const fixed = parseAppImage(bytes);
  const sumAt = bytes.length - 33;
  bytes[sumAt] = espChecksum(fixed.segments.map((s) => s.data));
  assert.throws(() => readValidAppImage(bytes, "x.bin"), /SHA-256 does not match/);
});

Deno.test("checksum is 0xEF XOR the data", () => {
  assert.equal(espChecksum([]), 0xef);
  assert.equal(espChecksum([Uint8Array.of(0xef)]), 0);
  assert.equal(espChecksum([Uint8Array.of(1, 2), Uint8Array.of(4)]), 0xef ^ 7);
});

Deno.test("truncated images are typed errors", () => {
  assert.throws(() => parseAppImage(new Uint8Array(10)), ImageFormatError);
  const bytes = new Uint8Array(40);
  bytes[0] = 0xe9;
  bytes[1] = 1;
  new DataView(bytes.buffer).setUint32(28, 1000, true);
  assert.throws(() => parseAppImage(bytes), /runs past the end/);
});
