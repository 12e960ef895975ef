import assert from "node:assert/strict";
import { UsageError } from "../../../kernel/mod.ts";
import { parseAppImage, readValidAppImage } from "./app_image.ts";
import { patchFlashParams, prepareEspRegions } from "./bootloader.ts";
import { checkImageChip, ImageChipMismatchError } from "./chip_check.ts";
import { espImageChip } from "./chips.ts";
import { readFirmware, skipNoFirmware } from "./testdata.ts";

const C3_BOOT = "esp32c3-beehive-idf/bootloader_1_1e1bbcb.bin";
const ESP32_BOOT = "sha2017-badge/bootloader_1_c0e67e9.bin";
const ESP32_BOOT_NOHASH = "esptool-test-images/bootloader_esp32.bin";
const C3_APP = "esp32c3-beehive-idf/hello_world_1_b75cf0a.bin";
const C3_TABLE = "esp32c3-beehive-idf/partition-table_1b254f1.bin";

/** Offsets where two equally long arrays differ. */
function diffOffsets(a: Uint8Array, b: Uint8Array): number[] {
  assert.equal(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) out.push(i);
  return out;
}

Deno.test("bootloader patch changes exactly header bytes 2-3 and the appended SHA-256", () => {
  if (skipNoFirmware()) return;
  const original = readFirmware(C3_BOOT);
  const [out] = prepareEspRegions("esp32c3", [{ address: 0, data: original, source: C3_BOOT }], {
    flashMode: "qio",
    flashSize: "8MB",
    flashFreq: "40m",
  });
  const changed = diffOffsets(out.data, original);
  const hashStart = original.length - 32;
  assert.ok(changed.includes(2) && changed.includes(3));
  assert.ok(changed.every((i) => i === 2 || i === 3 || i >= hashStart), String(changed));
  assert.ok(changed.some((i) => i >= hashStart), "hash must change");
  assert.equal(out.data[2], 0); // QIO
  assert.equal(out.data[3], 0x30); // 8 MB, 40 MHz
  readValidAppImage(out.data, "patched"); // the new hash is right for the patched bytes
  assert.deepEqual(original.subarray(0, 4), Uint8Array.of(0xe9, 0x03, 0x02, 0x1f)); // untouched
});

Deno.test("ESP32 bootloader is patched at 0x1000, not elsewhere", () => {
  if (skipNoFirmware()) return;
  const data = readFirmware(ESP32_BOOT);
  const params = { flashMode: "dout", flashSize: "4MB", flashFreq: "80m" };
  const [at1000, at0] = prepareEspRegions("esp32", [
    { address: 0x1000, data, source: "a" },
    { address: 0x0, data, source: "b" },
  ], params);
  assert.equal(at1000.data[2], 3);
  assert.equal(at1000.data[3], 0x2f);
  readValidAppImage(at1000.data);
  assert.equal(at0.data, data); // same object: nothing done
});

Deno.test("an image without an appended hash gets only its header bytes patched", () => {
  if (skipNoFirmware()) return;
  const data = readFirmware(ESP32_BOOT_NOHASH);
  const r = patchFlashParams(espImageChip("esp32"), data, { flashFreq: "80m" });
  assert.equal(r.rehashed, false);
  assert.deepEqual(diffOffsets(r.bytes, data), [3]);
  assert.equal(r.bytes[3], 0x1f); // size nibble kept, freq 80m
});

Deno.test("keep leaves the bytes alone; so do non-images at the bootloader offset", () => {
  if (skipNoFirmware()) return;
  const chip = espImageChip("esp32c3");
  const boot = readFirmware(C3_BOOT);
  assert.equal(patchFlashParams(chip, boot, {}).bytes, boot);
  assert.equal(patchFlashParams(chip, boot, { flashMode: "keep", flashSize: "keep" }).bytes, boot);
  const table = readFirmware(C3_TABLE);
  const r = patchFlashParams(chip, table, { flashMode: "dio" });
  assert.equal(r.bytes, table);
  assert.match(r.note!, /does not look like an image/);
});

Deno.test("flash size detect uses the detected size and needs one", () => {
  if (skipNoFirmware()) return;
  const data = readFirmware(C3_BOOT);
  const input = [{ address: 0, data, source: "b" }];
  const [out] = prepareEspRegions("esp32c3", input, {
    flashSize: "detect",
    detectedFlashSize: 0x1000000,
  });
  assert.equal(out.data[3], 0x4f);
  assert.throws(() => prepareEspRegions("esp32c3", input, { flashSize: "detect" }), UsageError);
});

Deno.test("bad flash settings are usage errors naming the valid values", () => {
  if (skipNoFirmware()) return;
  const input = [{ address: 0, data: readFirmware(C3_BOOT), source: "b" }];
  assert.throws(
    () => prepareEspRegions("esp32c3", input, { flashFreq: "60m" }),
    (e: unknown) => e instanceof UsageError && /80m, 40m, 26m, 20m/.test(e.hint ?? ""),
  );
  assert.throws(() => prepareEspRegions("esp32c3", input, { flashMode: "octal" }), UsageError);
  assert.throws(() => prepareEspRegions("esp32c3", input, { flashSize: "3MB" }), UsageError);
});

Deno.test("an image for another chip is refused with both chip names", () => {
  if (skipNoFirmware()) return;
  const app = { address: 0x10000, data: readFirmware(C3_APP), source: "hello.bin" };
  const table = { address: 0x8000, data: readFirmware(C3_TABLE), source: "pt.bin" };
  checkImageChip("esp32c3", [table, app]);
  checkImageChip("ESP32-C3", [app]);
  assert.throws(() => checkImageChip("ESP32", [table, app]), (e: unknown) => {
    assert.ok(e instanceof ImageChipMismatchError);
    assert.equal(e.code, "E_IMAGE_CHIP");
    assert.match(e.message, /hello\.bin at 0x10000 is an image for ESP32-C3.*device is ESP32$/);
    return true;
  });
  const s2 = readFirmware("esptool-test-images/esp_idf_blink_esp32s2.bin");
  assert.equal(parseAppImage(s2).ext.chipId, 2);
  assert.throws(() => checkImageChip("esp32s3", [{ ...app, data: s2 }]), /ESP32-S2.*ESP32-S3/);
});
