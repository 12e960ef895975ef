/**
 * Where ESP images may go: a misplaced image is refused as a usage error before the port is
 * opened (--force writes it anyway), data at an image offset that is no image is warned about
 * as esptool does, and a mistyped address is reported as an address.
 */
import { deepEqual, doesNotMatch, equal, match } from "node:assert/strict";
import { encodeTable } from "../targets/esp/partition/table.ts";
import { espAppImage, factoryOtaTable, mergedImage } from "./support/esp_images.ts";
import { runCli } from "./support/run_cli.ts";

const C3 = 5;
// A port that cannot be opened: a refusal that mentions it would mean it was tried.
const NO_PORT = "/dev/deltaflash-no-such-port";

async function files<K extends string>(
  named: Record<K, Uint8Array | string>,
): Promise<Record<K, string> & { dir: string }> {
  const dir = await Deno.makeTempDir();
  const out = {} as Record<K, string>;
  for (const [name, data] of Object.entries(named) as [K, Uint8Array | string][]) {
    out[name] = `${dir}/${name}`;
    if (typeof data === "string") await Deno.writeTextFile(out[name], data);
    else await Deno.writeFile(out[name], data);
  }
  return { ...out, dir };
}

const flashC3 = (...images: string[]) =>
  runCli(["flash", "--target", "esp32c3", "-p", NO_PORT, ...images]);

Deno.test("cli: app.bin@10000 (decimal 0x2710) is refused with a hint for 0x10000", async () => {
  const f = await files({ "app.bin": espAppImage({ chipId: C3, size: 40000 }) });
  const state = `${f.dir}/flash.bin`;
  const args = ["flash", "--target", "esp32c3", "-p", `sim:esp32c3?state=${state}`];
  const r = await runCli([...args, `${f["app.bin"]}@10000`]);
  equal(r.code, 2, r.stderr);
  match(
    r.stderr,
    /app\.bin@0x2710 does not start on a 4 KiB flash sector; 10000 without 0x is decimal \(0x2710\): did you mean 0x10000\?/,
  );
  match(r.stderr, /--force writes it there anyway/);
  equal(await Deno.stat(state).then(() => true, () => false), false); // the device was not opened
  const plan = await runCli([
    "plan",
    "--target",
    "esp32c3",
    `${f["app.bin"]}@10000`,
    "--against",
    `${f["app.bin"]}@0x10000`,
  ]);
  equal(plan.code, 2, plan.stderr);
  const forced = await runCli([...args, `${f["app.bin"]}@10000`, "--force"]);
  equal(forced.code, 0, forced.stderr);
  const flash = await Deno.readFile(state);
  deepEqual(
    flash.subarray(0x2710, 0x2720),
    espAppImage({ chipId: C3, size: 40000 }).subarray(0, 16),
  );
});

Deno.test("cli: images over the bootloader or partition table must be that kind of image", async () => {
  const app = espAppImage({ chipId: C3 });
  const f = await files({
    "app.bin": app,
    "data.bin": new Uint8Array(4096).fill(0x42),
    "boot.bin": espAppImage({ chipId: C3, seed: 9 }),
    "table.bin": encodeTable(factoryOtaTable(4 << 20)),
    "partitions.csv": "nvs,data,nvs,0x9000,0x6000\nfactory,app,factory,0x10000,1M\n",
    "factory.bin": mergedImage({ flash: 0x120000, bootloaderOffset: 0, chipId: C3 }),
  });
  const at8000 = await flashC3(`${f["app.bin"]}@0x8000`);
  equal(at8000.code, 2, at8000.stderr);
  match(
    at8000.stderr,
    /app\.bin@0x8000 overlaps the bootloader and partition table \(0x0–0x9000\) but is not a partition table \(no AA 50 entry\)/,
  );
  const at4000 = await flashC3(`${f["data.bin"]}@0x4000`);
  equal(at4000.code, 2, at4000.stderr);
  match(at4000.stderr, /data\.bin@0x4000 overlaps the bootloader and partition table/);
  const at0 = await flashC3(`${f["data.bin"]}@0x0`);
  equal(at0.code, 2, at0.stderr);
  match(at0.stderr, /but is not a bootloader \(no 0xE9 image header\)/);
  for (const r of [at8000, at4000, at0]) doesNotMatch(r.stderr, /no-such-port/);
  // the right kinds of image at those places pass the check and reach the (missing) port
  for (
    const ok of [
      [`${f["boot.bin"]}@0x0`, `${f["table.bin"]}@0x8000`, `${f["app.bin"]}@0x10000`],
      [`${f["factory.bin"]}@0x0`],
      [f["partitions.csv"], `${f["app.bin"]}@0x10000`],
    ]
  ) {
    const r = await flashC3(...ok);
    equal(r.code === 2 && /overlaps|sector|does not fit/.test(r.stderr), false, r.stderr);
    match(r.stderr, /no-such-port/);
  }
  // On the ESP32 the bootloader is at 0x1000: a whole-flash image at 0x0 holds one there.
  const esp32 = await files({ "m.bin": mergedImage({ flash: 0x120000 }) });
  const m = await runCli([
    "plan",
    "--target",
    "esp32",
    `${esp32["m.bin"]}@0x0`,
    "--against",
    `${esp32["m.bin"]}@0x0`,
  ]);
  equal(m.code, 0, m.stderr);
});

Deno.test("cli: an image that does not fit the partition it lands in is refused", async () => {
  const f = await files({
    "table.bin": encodeTable(factoryOtaTable(4 << 20)), // factory 0x10000–0x110000
    "big.bin": espAppImage({ chipId: C3, size: 0x100000 }),
    "small.bin": espAppImage({ chipId: C3 }),
  });
  const r = await flashC3(`${f["table.bin"]}@0x8000`, `${f["big.bin"]}@0x10000`);
  equal(r.code, 2, r.stderr);
  match(
    r.stderr,
    /big\.bin@0x10000 \(1048656 bytes\) does not fit partition factory \(0x10000–0x110000, 1M\)/,
  );
  const ok = await flashC3(`${f["table.bin"]}@0x8000`, `${f["small.bin"]}@0x110000`);
  match(ok.stderr, /no-such-port/);
});

Deno.test("cli: data at an image offset that is no image is flashed with esptool's warning", async () => {
  const f = await files({ "fs.bin": new Uint8Array(8192).fill(0x33) });
  const r = await runCli([
    "flash",
    "--target",
    "esp32c3",
    "-p",
    "sim:esp32c3",
    `${f["fs.bin"]}@0x10000`,
  ]);
  equal(r.code, 0, r.stderr);
  match(
    r.stderr,
    /warning: .*fs\.bin at 0x10000 doesn't look like an image file \(no 0xE9 header\)/,
  );
  const elsewhere = await runCli([
    "flash",
    "--target",
    "esp32c3",
    "-p",
    "sim:esp32c3",
    `${f["fs.bin"]}@0x200000`,
  ]);
  equal(elsewhere.code, 0, elsewhere.stderr);
  doesNotMatch(elsewhere.stderr, /doesn't look like an image/);
});

Deno.test("cli: a mistyped address is a bad address, not a missing file", async () => {
  const f = await files({ "app.bin": espAppImage({ chipId: C3 }) });
  for (const cmd of [["flash", "--target", "esp32c3", "-p", NO_PORT], ["diff", f["app.bin"]]]) {
    const r = await runCli([...cmd, `${f["app.bin"]}@0x1O000`]);
    equal(r.code, 2, r.stderr);
    match(r.stderr, /bad address '0x1O000' in .*app\.bin@0x1O000/);
    doesNotMatch(r.stderr, /no such file/);
  }
});
