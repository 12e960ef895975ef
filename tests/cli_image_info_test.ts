/**
 * `image-info` on whole-flash images (save-image --merge, ESP-IDF/ESPHome factory images), the
 * --chip check, and chip revision ranges printed as esptool prints them.
 */
import { deepEqual, equal, match } from "node:assert/strict";
import { decodeTable } from "../targets/esp/partition/table.ts";
import { espAppImage, mergedImage } from "./support/esp_images.ts";
import { firmware, needsFirmware } from "./support/firmware.ts";
import { runCli } from "./support/run_cli.ts";

const MIB = 1 << 20;

async function write(name: string, bytes: Uint8Array): Promise<string> {
  const path = `${await Deno.makeTempDir()}/${name}`;
  await Deno.writeFile(path, bytes);
  return path;
}

Deno.test("image-info: a merged image is bootloader + partition table + each app partition", async () => {
  const file = await write("factory.bin", mergedImage({ flash: 4 * MIB }));
  const r = await runCli(["image-info", file]);
  equal(r.code, 0, r.stderr);
  match(r.stdout, /^Whole-flash image for ESP32 \(4194304 bytes\)$/m);
  match(r.stdout, /^Bootloader at 0x1000:\n {2}ESP image for ESP32 \(chip id 0\)$/m);
  match(r.stdout, /^Partition table at 0x8000 \(4 entries, MD5 valid\):$/m);
  match(r.stdout, /^ {2}storage\s+data\s+/m);
  match(r.stdout, /^App partition factory at 0x10000:\n {2}ESP image for ESP32/m);
  match(r.stdout, /^ {2}Chip revision: v0\.3 – v1\.99$/m);
  match(r.stdout, /^App partition ota_0 at 0x110000:\n {2}ESP image for ESP32/m);
  match(r.stdout, /^ {2}Chip revision: v0\.0 – any$/m);
  const j = await runCli(["image-info", file, "--json"]);
  equal(j.code, 0, j.stderr);
  const info = JSON.parse(j.stdout);
  equal(info.kind, "merged-image");
  equal(info.bootloader.offset, 0x1000);
  deepEqual(info.apps.map((a: { partition: { name: string } }) => a.partition.name), [
    "factory",
    "ota_0",
  ]);
  equal(info.apps[0].image.revisions, "v0.3 – v1.99");
  equal(info.text, undefined);
  equal(info.apps[0].image.text, undefined);
});

Deno.test("image-info: empty, missing and broken parts of a merged image", async () => {
  const bytes = mergedImage({ flash: 2 * MIB, bootloaderOffset: 0, chipId: 5 }); // ESP32-C3
  bytes.fill(0xff, 0x110000, 0x111000); // ota_0 erased
  const r = await runCli(["image-info", await write("c3.bin", bytes.subarray(0, 0x120000))]);
  equal(r.code, 0, r.stderr);
  match(r.stdout, /^Whole-flash image for ESP32-C3/m);
  match(r.stdout, /^Bootloader at 0x0:/m);
  match(r.stdout, /^App partition ota_0 at 0x110000:\n {2}erased$/m);
  const cut = await runCli(["image-info", await write("cut.bin", bytes.subarray(0, 0x100000))]);
  equal(cut.code, 0, cut.stderr);
  match(cut.stdout, /^App partition ota_0 at 0x110000:\n {2}beyond the file$/m);
  const broken = bytes.slice();
  broken[0x8000 + 12] ^= 1; // a partition name byte: the MD5 entry no longer matches
  const b = await runCli(["image-info", await write("broken.bin", broken)]);
  equal(b.code, 1);
  match(b.stderr, /partition table at 0x8000\): MD5 of the partition table does not match/);
});

Deno.test("image-info --chip checks the image instead of relabelling it", async () => {
  const app = await write("app.bin", espAppImage({ chipId: 5 })); // ESP32-C3
  const same = await runCli(["image-info", app, "--chip", "esp32c3"]);
  equal(same.code, 0, same.stderr);
  const other = await runCli(["image-info", app, "--chip", "esp32s3"]);
  equal(other.code, 1);
  match(other.stderr, /app\.bin is an image for ESP32-C3, not ESP32-S3/);
  const merged = await write("m.bin", mergedImage({ flash: 2 * MIB, chipId: 0 }));
  equal((await runCli(["image-info", merged, "--chip", "esp32"])).code, 0);
  const m = await runCli(["image-info", merged, "--chip", "esp32c3"]);
  equal(m.code, 1);
  match(m.stderr, /m\.bin: the bootloader at 0x1000 is an image for ESP32, not ESP32-C3/);
});

Deno.test(
  "image-info: an ESP-IDF factory image from real ESP32-C3 builds",
  needsFirmware,
  async () => {
    const dir = "esp32/esp32c3-beehive-idf";
    const table = await Deno.readFile(firmware(`${dir}/partition-table_1b254f1.bin`));
    const factory = decodeTable(table).partitions.find((p) => p.type === 0)!;
    const app = await Deno.readFile(firmware(`${dir}/BeeHive_Vscode_4G_04_1b254f1.bin`));
    const bytes = new Uint8Array(factory.offset + app.length).fill(0xff);
    bytes.set(await Deno.readFile(firmware(`${dir}/bootloader_1_1e1bbcb.bin`)), 0);
    bytes.set(table, 0x8000);
    bytes.set(app, factory.offset);
    const file = await write("beehive-factory.bin", bytes);
    const r = await runCli(["image-info", file, "--chip", "esp32c3"]);
    equal(r.code, 0, r.stderr);
    match(r.stdout, /^Whole-flash image for ESP32-C3/m);
    match(
      r.stdout,
      new RegExp(`^App partition ${factory.name} at 0x${factory.offset.toString(16)}:`, "m"),
    );
    match(r.stdout, /SHA-256 of \d+ bytes: [0-9a-f]{64} \(valid\)/);
    equal((await runCli(["image-info", file, "--chip", "esp32"])).code, 1);
  },
);
