/**
 * Peer check: Espressif's own web flasher library, esptool-js 0.7.0, drives the simulator
 * through a WebSerial-shaped port. If esptool-js and the simulator disagree, the simulator
 * is wrong. Covered: reset into download mode (classic DTR/RTS circuit and USB-Serial-JTAG),
 * SYNC, chip detection (magic register on ESP32/S2, GET_SECURITY_INFO elsewhere), eFuse/MAC
 * and revision reads (esptool-js must decode the values the chip table documents), stub upload (MEM_*) and "OHAI", CHANGE_BAUDRATE with a port reopen, flash id via
 * SPI user-command registers, compressed writes with MD5 verification, the ROM-only flow, and
 * leaving the stub for the ROM loader (FLASH_BEGIN(0, 0) + FLASH_END with the reboot flag).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { ESPLoader, Transport } from "esptool-js";
import { createContext, VirtualClock } from "../../kernel/mod.ts";
import { EspSimBank } from "./plugin.ts";
import { WebSerialSimPort } from "./webserial.ts";

// esptool-js prints through a terminal object; keep the test output quiet.
const lines: string[] = [];
const terminal = {
  clean() {},
  writeLine(s: string) {
    lines.push(s);
  },
  write(s: string) {
    lines.push(s);
  },
};

function image(size: number, seed: number): Uint8Array {
  const a = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    // Half compressible text-like runs, half pseudo-random, like a firmware image.
    x = (x * 1103515245 + 12345) >>> 0;
    a[i] = (i >> 9) & 1 ? (x >>> 24) : (i & 0x3f) + 0x20;
  }
  return a;
}

const md5hex = (b: Uint8Array) => createHash("md5").update(b).digest("hex");

async function connect(chip: string, baudrate: number) {
  const bank = new EspSimBank();
  const ctx = createContext({ clock: new VirtualClock() });
  const port = await new WebSerialSimPort(bank, ctx, `sim:${chip}`).init();
  // deno-lint-ignore no-explicit-any
  const transport = new Transport(port as any);
  const loader = new ESPLoader({ transport, baudrate, terminal });
  const device = await bank.device(`sim:${chip}`);
  return { bank, loader, transport, device };
}

const opts = { sanitizeOps: false, sanitizeResources: false };

for (const [chip, name] of [["esp32", "ESP32"], ["esp32c3", "ESP32-C3"], ["esp32s3", "ESP32-S3"]]) {
  Deno.test(`esptool-js main() + compressed writeFlash on ${chip} (stub)`, opts, async () => {
    const { loader, transport, device } = await connect(chip, 921600);
    lines.length = 0;
    const desc = await loader.main();
    assert.equal(loader.chip.CHIP_NAME, name);
    assert.ok(desc.startsWith(name), desc);
    // eFuse reads: esptool-js decodes the MAC and revision the chip table documents.
    const mac = device.chip.mac.map((b) => b.toString(16).padStart(2, "0")).join(":");
    assert.ok(lines.includes(`MAC: ${mac}`), lines.join("\n"));
    const rev = /\(revision v?(\d+)(?:\.(\d+))?\)/.exec(
      lines.find((l) => l.startsWith("Chip is")) ?? "",
    );
    assert.ok(rev, "esptool-js printed the revision");
    const [major, minor] = device.chip.revision.slice(1).split(".");
    assert.equal(rev[1], major);
    if (rev[2] !== undefined) assert.equal(rev[2], minor);
    assert.equal(device.mode, "stub");
    assert.equal(device.baud(), 921600);
    assert.ok(lines.some((l) => /Flash ID: 1[67]40ef/.test(l)), "flash id read via SPI regs");
    const img = image(64 * 1024 + 3, 7);
    await loader.writeFlash({
      fileArray: [{ data: img, address: 0x10000 }],
      flashMode: "keep",
      flashFreq: "keep",
      flashSize: "keep",
      eraseAll: false,
      compress: true,
      calculateMD5Hash: md5hex,
    });
    const padded = img.length + ((4 - (img.length % 4)) % 4);
    assert.deepEqual(device.flash.bytes.subarray(0x10000, 0x10000 + img.length), img);
    assert.ok(device.flash.bytes.subarray(0x10000 + padded).every((b) => b === 0xff));
    assert.equal(await loader.flashMd5sum(0x10000, img.length), md5hex(img));
    const back = await loader.readFlash(0x10000, 0x2000);
    assert.deepEqual(back, img.subarray(0, 0x2000));
    if (chip === "esp32c3") {
      await loader.eraseFlash();
      assert.ok(device.flash.bytes.every((b) => b === 0xff));
    }
    await loader.after("hard_reset"); // esptool-js never asserts RTS: the stub keeps running
    assert.equal(device.mode, "stub");
    await transport.disconnect();
  });
}

Deno.test("esptool-js ROM-only flow on ESP32-C3 (no stub)", opts, async () => {
  const { loader, transport, device } = await connect("esp32c3", 115200);
  await loader.detectChip();
  assert.equal(loader.chip.CHIP_NAME, "ESP32-C3");
  assert.equal(device.mode, "rom");
  // esptool-js never attaches the flash itself; the ROM refuses flash access until it is.
  await assert.rejects(loader.flashMd5sum(0, 0x1000), /status 1,9/);
  await loader.flashSpiAttach(0);
  const img = image(40 * 1024, 3);
  await loader.writeFlash({
    fileArray: [{ data: img, address: 0x8000 }],
    flashMode: "keep",
    flashFreq: "keep",
    flashSize: "keep",
    eraseAll: false,
    compress: true,
    // The ROM answers MD5 as 32 ASCII hex characters; esptool-js hex-encodes those bytes.
    calculateMD5Hash: (b: Uint8Array) =>
      Array.from(new TextEncoder().encode(md5hex(b)), (x) => x.toString(16).padStart(2, "0"))
        .join(""),
  });
  assert.deepEqual(device.flash.bytes.subarray(0x8000, 0x8000 + img.length), img);
  assert.equal(device.mode, "rom");
  assert.ok(device.history.every((r) => r.loader === "rom"));
  await transport.disconnect();
});

Deno.test("esptool-js detects every simulated chip", opts, async () => {
  const names: Record<string, string> = {
    esp32s2: "ESP32-S2",
    esp32c2: "ESP32-C2",
    esp32c6: "ESP32-C6",
    esp32h2: "ESP32-H2",
  };
  for (const [chip, name] of Object.entries(names)) {
    const { loader, transport } = await connect(chip, 115200);
    await loader.detectChip();
    assert.equal(loader.chip.CHIP_NAME, name);
    await transport.disconnect();
  }
});

Deno.test(
  "esptool-js in Secure Download Mode: no stub, no register reads, raw writes",
  opts,
  async () => {
    const bank = new EspSimBank();
    const ctx = createContext({ clock: new VirtualClock() });
    const port = await new WebSerialSimPort(bank, ctx, "sim:esp32c3?sdm=1").init();
    // deno-lint-ignore no-explicit-any
    const transport = new Transport(port as any);
    const loader = new ESPLoader({ transport, baudrate: 921600, terminal });
    const device = await bank.device("sim:esp32c3?sdm=1");
    await loader.main();
    assert.equal(loader.secureDownloadMode, true);
    assert.equal(device.mode, "rom", "the stub is not uploaded in SDM");
    assert.equal(device.baud(), 115200, "no baud change in SDM");
    await loader.flashSpiAttach(0);
    const img = image(8 * 1024, 5);
    await loader.writeFlash({
      fileArray: [{ data: img, address: 0x20000 }],
      flashMode: "keep",
      flashFreq: "keep",
      flashSize: "keep",
      eraseAll: false,
      compress: false,
    });
    assert.deepEqual(device.flash.bytes.subarray(0x20000, 0x20000 + img.length), img);
    await assert.rejects(loader.flashMd5sum(0x20000, img.length));
    await transport.disconnect();
  },
);

Deno.test(
  "esptool-js after a stub session: its no_reset stays in the stub; esptool's exit (FLASH_BEGIN(0,0) + FLASH_END(reboot)) returns to the ROM",
  opts,
  async () => {
    const bank = new EspSimBank();
    const ctx = createContext({ clock: new VirtualClock() });
    const address = "sim:esp32c3?usb=uart";
    const port = await new WebSerialSimPort(bank, ctx, address).init();
    // deno-lint-ignore no-explicit-any
    const transport = new Transport(port as any);
    const loader = new ESPLoader({ transport, baudrate: 921600, terminal });
    const device = await bank.device(address);
    await loader.main();
    assert.equal(device.mode, "stub");
    // esptool-js 0.7.0: after("no_reset") calls softReset(true) without awaiting it, and that
    // refuses stubs on anything but the ESP8266 — the chip stays in the stub.
    const refused: string[] = [];
    const onRejection = (e: PromiseRejectionEvent) => {
      e.preventDefault();
      refused.push(String((e.reason as Error)?.message ?? e.reason));
    };
    globalThis.addEventListener("unhandledrejection", onRejection);
    try {
      await loader.after("no_reset");
      await ctx.clock.sleep(50);
      await new Promise((r) => setTimeout(r, 20));
    } finally {
      globalThis.removeEventListener("unhandledrejection", onRejection);
    }
    assert.deepEqual(refused, ["Soft resetting is currently only supported on ESP8266"]);
    assert.equal(device.mode, "stub");
    // What esptool's --after no_reset sends (soft_reset(stay_in_bootloader=True)), through
    // esptool-js's own commands; the user holds BOOT, so the restart comes up in download mode.
    device.holdBootStrap(true);
    await loader.flashBegin(0, 0);
    await loader.flashFinish(true); // checks the stub's reply before the chip restarts
    await ctx.clock.sleep(50);
    assert.equal(device.mode, "rom");
    await transport.disconnect();
    // A second, ROM-only esptool-js session on the same chip: no reset, just SYNC.
    const port2 = await new WebSerialSimPort(bank, ctx, address).init();
    // deno-lint-ignore no-explicit-any
    const transport2 = new Transport(port2 as any);
    const rom = new ESPLoader({ transport: transport2, baudrate: 115200, terminal });
    await rom.detectChip("no_reset");
    assert.equal(rom.chip.CHIP_NAME, "ESP32-C3");
    assert.equal(rom.IS_STUB, false);
    assert.equal(device.mode, "rom");
    await transport2.disconnect();
  },
);
