/**
 * Build folders as users have them: an ESP-IDF project (build/flasher_args.json), an Arduino
 * CLI output folder, a PlatformIO `.pio/build/<env>/`, and an ELF from a Cargo runner with the
 * bootloader and partition table from flags or config. Trees are generated in temp folders
 * from `../shared/firmware` images; the simulated chip's flash (its `?state=` file) is checked.
 *
 * @module
 */
import { deepEqual, equal, match } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { encodeTable } from "../targets/esp/partition/table.ts";
import { arduinoDefaultTable } from "./support/esp_images.ts";
import { firmware, needsFirmware } from "./support/firmware.ts";
import { runCliProcess } from "./support/run_cli.ts";

const dist = fileURLToPath(new URL("../examples/firmware/dist/", import.meta.url));
const C3 = "esp32/esp32c3-beehive-idf/";

async function copy(from: string, to: string): Promise<Uint8Array> {
  await Deno.mkdir(to.slice(0, to.lastIndexOf("/")), { recursive: true });
  await Deno.copyFile(from, to);
  return await Deno.readFile(to);
}

const at = (flash: Uint8Array, address: number, length: number) =>
  flash.subarray(address, address + length);

async function idfProject(settings: Record<string, string>) {
  const dir = await Deno.makeTempDir({ prefix: "deltaflash-idf-" });
  const boot = await copy(
    firmware(`${C3}bootloader_1_1e1bbcb.bin`),
    `${dir}/build/bootloader/bootloader.bin`,
  );
  const table = await copy(
    firmware(`${C3}partition-table_1b254f1.bin`),
    `${dir}/build/partition_table/partition-table.bin`,
  );
  const app = await copy(firmware(`${C3}hello_world_1_b75cf0a.bin`), `${dir}/build/hello.bin`);
  await Deno.writeTextFile(
    `${dir}/build/flasher_args.json`,
    JSON.stringify({
      write_flash_args: [],
      flash_settings: settings,
      flash_files: {
        "0x0": "bootloader/bootloader.bin",
        // This partition table puts the app (ota_0) at 0x20000.
        "0x20000": "hello.bin",
        "0x8000": "partition_table/partition-table.bin",
      },
      app: { offset: "0x20000", file: "hello.bin", encrypted: "false" },
      extra_esptool_args: {
        after: "hard_reset",
        before: "default_reset",
        stub: true,
        chip: "esp32c3",
      },
    }),
  );
  return { dir, boot, table, app };
}

Deno.test(
  "ESP-IDF: `flash` in the project writes flash_files at their offsets, chip and flash settings from flasher_args.json",
  needsFirmware,
  async () => {
    const p = await idfProject({ flash_mode: "dio", flash_size: "4MB", flash_freq: "80m" });
    const state = `${p.dir}/flash.bin`;
    const r = await runCliProcess(p.dir, "flash", "--port", `sim:esp32c3?state=${state}`);
    equal(r.code, 0, r.stderr);
    match(r.stderr, /ESP-IDF build .*flasher_args\.json \(esp32c3\)/);
    const flash = await Deno.readFile(state);
    deepEqual(at(flash, 0x20000, p.app.length), p.app);
    deepEqual(at(flash, 0x8000, p.table.length), p.table);
    // The bootloader header carries flash_settings (the image says 2MB; the project says 4MB).
    equal(p.boot[3] >> 4, 1, "the corpus bootloader is built for 2MB");
    deepEqual([...at(flash, 0, 4)], [0xe9, p.boot[1], 0x02, 0x2f]);
    deepEqual(at(flash, 0x18, 0x100), at(p.boot, 0x18, 0x100));
    // The folder and the file itself name the same build; a rerun writes nothing.
    for (const arg of ["build", "build/flasher_args.json"]) {
      const again = await runCliProcess(
        p.dir,
        "flash",
        "--port",
        `sim:esp32c3?state=${state}`,
        arg,
      );
      equal(again.code, 0, again.stderr);
      match(again.stdout, /wrote 0 of \d+ sectors/);
    }
  },
);

Deno.test(
  "ESP-IDF: a project whose chip differs from --chip is refused before writing",
  needsFirmware,
  async () => {
    const p = await idfProject({ flash_mode: "dio", flash_size: "2MB", flash_freq: "80m" });
    const state = `${p.dir}/flash.bin`;
    const r = await runCliProcess(p.dir, "flash", "-c", "esp32", "-p", `sim:esp32?state=${state}`);
    // Found before any device is opened: a usage error (exit 2) naming the image's target.
    equal(r.code, 2);
    match(r.stderr, /is an image for ESP32-C3, but the target is ESP32/);
    match(r.stderr, /--target esp32c3/);
  },
);

Deno.test(
  "Arduino CLI output folder: ESP32 bootloader at 0x1000, partitions at 0x8000, sketch at 0x10000",
  needsFirmware,
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "deltaflash-arduino-" });
    const out = `${dir}/build/esp32.esp32.esp32`;
    const boot = await copy(
      firmware("esp32/sha2017-badge/bootloader_1_c0e67e9.bin"),
      `${out}/Blink.ino.bootloader.bin`,
    );
    // Arduino's default table: its app0 holds the 1.2 MB app.
    const table = arduinoDefaultTable();
    await Deno.writeFile(`${out}/Blink.ino.partitions.bin`, table);
    const app = await copy(
      firmware("esp32/sha2017-badge/sha2017-badge_01_5d05113.bin"),
      `${out}/Blink.ino.bin`,
    );
    // A merged image beside them is not flashed on top.
    await Deno.writeFile(`${out}/Blink.ino.merged.bin`, new Uint8Array(16));
    const state = `${dir}/flash.bin`;
    // No --chip: the bootloader's header says ESP32.
    const r = await runCliProcess(dir, "flash", "-p", `sim:esp32?state=${state}`, out);
    equal(r.code, 0, r.stderr);
    match(r.stderr, /Arduino build .* \(esp32\): Blink\.ino\.bootloader\.bin@0x1000 /);
    const flash = await Deno.readFile(state);
    deepEqual(
      at(flash, 0x1000 + 0x18, boot.length - 0x18 - 32),
      at(boot, 0x18, boot.length - 0x18 - 32),
    );
    deepEqual(at(flash, 0x8000, table.length), table);
    deepEqual(at(flash, 0x10000, app.length), app);
  },
);

Deno.test(
  "PlatformIO: .pio/build/<env> of the project; firmware.bin goes to the table's app partition",
  needsFirmware,
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "deltaflash-pio-" });
    await Deno.writeTextFile(`${dir}/platformio.ini`, "[env:c3]\nplatform = espressif32\n");
    const env = `${dir}/.pio/build/c3`;
    await copy(firmware(`${C3}bootloader_1_1e1bbcb.bin`), `${env}/bootloader.bin`);
    const table = encodeTable([
      { name: "nvs", type: 1, subtype: 2, offset: 0x9000, size: 0x6000, flags: 0 },
      { name: "factory", type: 0, subtype: 0, offset: 0x20000, size: 0x100000, flags: 0 },
    ]);
    await Deno.writeFile(`${env}/partitions.bin`, table);
    const app = await copy(`${dist}esp32c3-blink-v1.bin`, `${env}/firmware.bin`);
    const state = `${dir}/flash.bin`;
    const r = await runCliProcess(dir, "flash", "-p", `sim:esp32c3?state=${state}`);
    equal(r.code, 0, r.stderr);
    match(r.stderr, /PlatformIO build .*c3 \(esp32c3\): .*firmware\.bin@0x20000/);
    const flash = await Deno.readFile(state);
    deepEqual(at(flash, 0x8000, table.length), table);
    deepEqual(at(flash, 0x20000, app.length), app);
    // Two environments: the user names one.
    await Deno.mkdir(`${dir}/.pio/build/s3`);
    await Deno.writeFile(`${dir}/.pio/build/s3/firmware.bin`, app);
    const two = await runCliProcess(dir, "flash", "-p", `sim:esp32c3?state=${state}`);
    equal(two.code, 2);
    match(two.stderr, /several builds: c3, s3/);
  },
);

Deno.test(
  "Cargo runner: an ESP ELF becomes the app; bootloader and partition table from flags or config",
  needsFirmware,
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "deltaflash-cargo-" });
    const elf = await copy(
      firmware("esp32/esptool-test-images/esp32-app-template.elf"),
      `${dir}/target/xtensa-esp32-none-elf/debug/app`,
    );
    equal(elf[1], 0x45, "an ELF");
    const boot = await copy(
      firmware("esp32/esptool-test-images/bootloader_esp32.bin"),
      `${dir}/bootloader.bin`,
    );
    await Deno.writeTextFile(
      `${dir}/partitions.csv`,
      "# Name, Type, SubType, Offset, Size\nnvs, data, nvs, 0x9000, 0x6000\nfactory, app, factory, 0x10000, 1M\n",
    );
    const state = `${dir}/flash.bin`;
    // What `cargo run` executes: the runner line with the ELF path appended.
    const r = await runCliProcess(
      dir,
      "flash",
      "-c",
      "esp32",
      "-p",
      `sim:esp32?state=${state}`,
      "--bootloader",
      "bootloader.bin",
      "--partition-table",
      "partitions.csv",
      "--monitor",
      "--timeout",
      "1",
      "--elf",
      "target/xtensa-esp32-none-elf/debug/app",
      "target/xtensa-esp32-none-elf/debug/app",
    );
    equal(r.code, 0, r.stderr);
    const flash = await Deno.readFile(state);
    equal(flash[0x1000], 0xe9, "bootloader at 0x1000");
    deepEqual(at(flash, 0x1000 + 0x18, 0x100), at(boot, 0x18, 0x100));
    deepEqual([...at(flash, 0x8000, 2)], [0xaa, 0x50], "partition table at 0x8000");
    equal(flash[0x10000], 0xe9, "app image at 0x10000");
    match(r.stdout, /ESP-ROM|rst:/, "the monitor followed");
    // The same from config, as a project's deno.json would hold it.
    await Deno.writeTextFile(
      `${dir}/deno.json`,
      JSON.stringify({
        deltaflash: {
          target: "esp32",
          bootloader: "bootloader.bin",
          partitionTable: "partitions.csv",
        },
      }),
    );
    const again = await runCliProcess(
      dir,
      "flash",
      "-p",
      `sim:esp32?state=${state}`,
      "target/xtensa-esp32-none-elf/debug/app",
    );
    equal(again.code, 0, again.stderr);
    match(again.stdout, /wrote 0 of \d+ sectors/);
  },
);

/** A minimal ARM ELF32 executable with one PT_LOAD of `data` at `address` (what rustc emits). */
function armElf(address: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(84 + data.length);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, 40, true); // EM_ARM
  v.setUint32(20, 1, true);
  v.setUint32(24, address | 1, true);
  v.setUint32(28, 52, true); // e_phoff
  v.setUint16(40, 52, true);
  v.setUint16(42, 32, true);
  v.setUint16(44, 1, true);
  v.setUint32(52, 1, true); // PT_LOAD
  v.setUint32(56, 84, true);
  v.setUint32(60, address, true);
  v.setUint32(64, address, true);
  v.setUint32(68, data.length, true);
  v.setUint32(72, data.length, true);
  v.setUint32(76, 5, true);
  out.set(data, 84);
  return out;
}

Deno.test(
  "Cargo runner: an nRF ELF over a probe; --monitor reads the board's serial port",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "deltaflash-cargo-nrf-" });
    const code = new Uint8Array(0x1800).map((_, i) => (i * 7 + 3) & 0xff);
    await Deno.mkdir(`${dir}/target/thumbv7em-none-eabihf/release`, { recursive: true });
    const elf = `${dir}/target/thumbv7em-none-eabihf/release/blinky`;
    await Deno.writeFile(elf, armElf(0x30000, code));
    // The board's USB serial: a TCP socket standing in for DAPLink's CDC port.
    const server = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const served = (async () => {
      const conn = await server.accept();
      await conn.write(new TextEncoder().encode("hello from the app\r\n"));
      await new Promise((r) => setTimeout(r, 1500));
      conn.close();
    })();
    const state = `${dir}/nrf.bin`;
    try {
      const r = await runCliProcess(
        dir,
        "flash",
        "-c",
        "nrf52833",
        "--probe",
        `sim:microbit-v2?state=${state}`,
        "--port",
        `socket://127.0.0.1:${server.addr.port}`,
        "-M",
        "--timeout",
        "1",
        elf,
      );
      equal(r.code, 0, r.stderr);
      match(r.stdout, /hello from the app/);
      const flash = await Deno.readFile(state);
      deepEqual(at(flash, 0x30000, code.length), code);
      // Without a serial port the console has nowhere to come from; the flash is done.
      const bare = await runCliProcess(
        dir,
        "flash",
        "-c",
        "nrf52833",
        "--probe",
        `sim:microbit-v2?state=${state}`,
        "-M",
        elf,
      );
      equal(bare.code, 1);
      match(bare.stdout, /wrote 0 of \d+ pages/);
      match(bare.stderr, /no serial console on this link\nhint: give the board's serial port/);
    } finally {
      // Closed first: a run that never connected must not leave accept() waiting forever.
      server.close();
      await served.catch(() => {});
    }
  },
);
