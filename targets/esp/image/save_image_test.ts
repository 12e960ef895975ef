import assert from "node:assert/strict";
import {
  createContext,
  FlashImage,
  ImageFormatError,
  ImageRangeError,
  type LoadImageArgs,
  UsageError,
} from "../../../kernel/mod.ts";
import { decodeTable } from "../partition/table.ts";
import { parseAppImage, readValidAppImage } from "./app_image.ts";
import { ImageChipMismatchError } from "./chip_check.ts";
import { imageInfo } from "./image_info.ts";
import { saveImage } from "./save_image.ts";
import { espLoadImageStage } from "./stages.ts";
import { assertSameBytes, readFirmware, skipNoFirmware } from "./testdata.ts";

const APP_ELF = "esptool-test-images/esp32-app-template.elf";
const ESP32_BOOT = "sha2017-badge/bootloader_2_c45c3de.bin";

Deno.test("saveImage without merge is the app image with the requested flash settings", () => {
  if (skipNoFirmware()) return;
  const out = saveImage({
    elf: readFirmware(APP_ELF),
    chip: "esp32",
    flashMode: "qio",
    flashSize: "2MB",
    flashFreq: "80m",
  });
  const image = readValidAppImage(out);
  assert.equal(image.flashMode, 0);
  assert.equal(image.flashSizeFreq, 0x1f);
});

Deno.test("saveImage --merge: bootloader @0x1000, table @0x8000, app @0x10000, 0xFF between", () => {
  if (skipNoFirmware()) return;
  const elf = readFirmware(APP_ELF);
  const bootloader = readFirmware(ESP32_BOOT);
  const app = saveImage({ elf, chip: "esp32", flashMode: "dio", flashSize: "4MB" });
  const merged = saveImage({
    elf,
    chip: "esp32",
    flashMode: "dio",
    flashSize: "4MB",
    merge: true,
    bootloader,
  });
  assert.equal(merged.length, 0x10000 + app.length);
  assert.ok(merged.subarray(0, 0x1000).every((b) => b === 0xff));
  const boot = merged.subarray(0x1000, 0x1000 + bootloader.length);
  const bootImage = readValidAppImage(boot, "merged bootloader"); // re-hashed after patching
  assert.equal(bootImage.flashMode, 2);
  assert.equal(bootImage.flashSizeFreq, 0x20); // 4 MB, 40 MHz (was 16 MB)
  assert.ok(merged.subarray(0x1000 + bootloader.length, 0x8000).every((b) => b === 0xff));
  const table = decodeTable(merged.subarray(0x8000, 0x8c00));
  assert.deepEqual(table.partitions.map((p) => [p.name, p.offset]), [
    ["nvs", 0x9000],
    ["phy_init", 0xf000],
    ["factory", 0x10000],
  ]);
  assert.equal(table.partitions[2].size, 0x3f0000);
  assertSameBytes(merged.subarray(0x10000), app, "app in merged image");
  const fast = saveImage({ elf, chip: "esp32", flashFreq: "80m", merge: true, bootloader });
  assert.equal(fast[0x1000 + 3], 0x2f); // bootloader and app agree on 80 MHz
  assert.equal(fast[0x10000 + 3], 0x2f);
  const padded = saveImage({ elf, chip: "esp32", merge: true, bootloader, padToFlashSize: true });
  assert.equal(padded.length, 0x400000);
});

Deno.test("saveImage --merge with a CSV table places the app in its app partition", () => {
  if (skipNoFirmware()) return;
  const csv = new TextEncoder().encode(
    "nvs,data,nvs,0x9000,0x4000\notadata,data,ota,0xd000,0x2000\nota_0,app,ota_0,0x20000,1M\n",
  );
  const merged = saveImage({
    elf: readFirmware(APP_ELF),
    chip: "esp32",
    merge: true,
    bootloader: readFirmware(ESP32_BOOT),
    partitionTable: csv,
  });
  assert.equal(merged[0x20000], 0xe9);
  assert.ok(merged.subarray(0x10000, 0x20000).every((b) => b === 0xff));
  readValidAppImage(merged.subarray(0x20000));
});

Deno.test("saveImage refusals are typed", () => {
  if (skipNoFirmware()) return;
  const elf = readFirmware(APP_ELF);
  assert.throws(() => saveImage({ elf, chip: "esp32", merge: true }), UsageError);
  const c3Boot = readFirmware("esp32c3-beehive-idf/bootloader_1_1e1bbcb.bin");
  assert.throws(
    () => saveImage({ elf, chip: "esp32", merge: true, bootloader: c3Boot }),
    ImageChipMismatchError,
  );
  const tiny = new TextEncoder().encode("factory,app,factory,0x10000,64K\n");
  assert.throws(
    () =>
      saveImage({
        elf,
        chip: "esp32",
        merge: true,
        bootloader: readFirmware(ESP32_BOOT),
        partitionTable: tiny,
      }),
    ImageRangeError,
  );
  assert.throws(() => saveImage({ elf, chip: "esp99" }), UsageError);
});

Deno.test("imageInfo describes an app image and renders it", () => {
  if (skipNoFirmware()) return;
  const info = imageInfo(readFirmware("esp32c3-beehive-idf/hello_world_1_b75cf0a.bin"));
  assert.equal(info.kind, "app-image");
  if (info.kind !== "app-image") return;
  assert.equal(info.chip, "ESP32-C3");
  assert.equal(info.flashMode, "dio");
  assert.equal(info.flashSize, "2MB");
  assert.equal(info.flashFreq, "80m");
  assert.equal(info.checksum.valid, true);
  assert.equal(info.hash?.valid, true);
  assert.equal(info.segments.length, 6);
  assert.deepEqual(info.segments[0].memory, ["DROM"]);
  assert.equal(info.appDesc?.projectName, "hello_world");
  assert.match(info.text, /^ESP image for ESP32-C3 \(chip id 5\)$/m);
  assert.match(info.text, /^Checksum: 0x[0-9a-f]{2} \(valid\)$/m);
  assert.match(info.text, /^SHA-256 of \d+ bytes: [0-9a-f]{64} \(valid\)$/m);
});

Deno.test("imageInfo reports a broken checksum and recognises partition tables", () => {
  if (skipNoFirmware()) return;
  const bytes = readFirmware("esptool-test-images/bootloader_esp32.bin").slice();
  bytes[parseAppImage(bytes).segments[1].fileOffset! + 8] ^= 0xff;
  const info = imageInfo(bytes);
  assert.ok(info.kind === "app-image" && !info.checksum.valid && info.hash === undefined);
  assert.match(info.text, /INVALID/);
  const table = imageInfo(readFirmware("esp32c3-beehive-idf/partition-table_1b254f1.bin"));
  assert.equal(table.kind, "partition-table");
  assert.match(table.text, /^wifi_spiffs\s+data\s+spiffs/m);
  assert.throws(() => imageInfo(new Uint8Array(64)), ImageFormatError);
});

Deno.test("loadImage stage patches the bootloader and refuses images for another chip", async () => {
  if (skipNoFirmware()) return;
  const boot = readFirmware("esp32c3-beehive-idf/bootloader_1_1e1bbcb.bin");
  const app = readFirmware("esp32c3-beehive-idf/hello_world_1_b75cf0a.bin");
  const loaded = FlashImage.from([
    { address: 0, data: boot, source: "bootloader.bin" },
    { address: 0x10000, data: app, source: "app.bin" },
  ]);
  const ctx = createContext();
  const args = { inputs: [], formatOptions: { flashMode: "dout" } } as LoadImageArgs;
  const image = await espLoadImageStage("esp32c3")(() => Promise.resolve(loaded))(ctx, args);
  assert.equal(image.segments[0].data[2], 3);
  readValidAppImage(image.segments[0].data);
  assert.equal(image.segments[1].data, app);
  await assert.rejects(
    () =>
      espLoadImageStage("esp32s3")(() => Promise.resolve(loaded))(ctx, {
        ...args,
        formatOptions: {},
      }),
    ImageChipMismatchError,
  );
});
