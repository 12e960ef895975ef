/** Reset wiring and boot: which DTR/RTS sequences reach download mode, and what boots. */
import assert from "node:assert/strict";
import { findChip } from "./chips.ts";
import { EspDevice } from "./device.ts";
import { VirtualClock } from "../../kernel/mod.ts";

function chipWith(resetCircuit: "classic" | "usb-jtag", id = "esp32c3") {
  const dev = new EspDevice(findChip(id)!, { resetCircuit });
  const clock = new VirtualClock();
  dev.clock = clock;
  let text = "";
  dev.attachTx((b) => text += new TextDecoder().decode(b));
  return { dev, clock, text: () => text };
}

/** Applies (dtr, rts) states in order, as a host's setSignals calls would. */
function drive(dev: EspDevice, steps: [boolean | undefined, boolean | undefined][]) {
  for (const [dtr, rts] of steps) dev.setLines(dtr, rts);
}

Deno.test("classic reset (esptool ClassicReset) enters download mode", async () => {
  const { dev, clock, text } = chipWith("classic", "esp32");
  drive(dev, [[false, true], [true, false], [false, false]]);
  await clock.sleep(10);
  assert.equal(dev.mode, "rom");
  assert.match(text(), /DOWNLOAD_BOOT[\s\S]*waiting for download/);
});

Deno.test("UnixTight sequence enters download mode; RTS pulse alone boots the app", async () => {
  const { dev, clock, text } = chipWith("classic");
  drive(dev, [[false, false], [true, true], [false, true], [true, false], [false, false]]);
  await clock.sleep(10);
  assert.equal(dev.mode, "rom");
  drive(dev, [[undefined, true], [undefined, false]]); // esptool HardReset
  await clock.sleep(10);
  assert.equal(dev.mode, "app");
  assert.match(text(), /SPI_FAST_FLASH_BOOT\)\r\ninvalid header: 0xffffffff/);
});

Deno.test("esptool-js HardReset (RTS released only) does not reset", async () => {
  const { dev, clock } = chipWith("classic");
  dev.bootDownload();
  await clock.sleep(10);
  drive(dev, [[undefined, false], [false, undefined]]);
  await clock.sleep(10);
  assert.equal(dev.mode, "rom");
});

Deno.test("USB-Serial-JTAG: the esptool sequence enters download mode", async () => {
  const { dev, clock } = chipWith("usb-jtag");
  drive(dev, [
    [undefined, false],
    [false, undefined],
    [true, undefined],
    [undefined, false],
    [undefined, true],
    [false, undefined],
    [undefined, true],
    [undefined, false],
    [false, undefined],
  ]);
  await clock.sleep(10);
  assert.equal(dev.mode, "rom");
  drive(dev, [[false, true], [false, false]]); // a plain reset afterwards boots the app
  await clock.sleep(10);
  assert.equal(dev.mode, "app");
});

Deno.test("a valid image header boots quietly", async () => {
  const { dev, clock, text } = chipWith("classic", "esp32");
  dev.flash.program(0x1000, Uint8Array.from([0xe9, 3, 2, 0x20]));
  drive(dev, [[false, true], [false, false]]);
  await clock.sleep(10);
  assert.equal(dev.mode, "app");
  assert.doesNotMatch(text(), /invalid header/);
});
