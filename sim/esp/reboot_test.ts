/** FLASH_END with the reboot flag sent to the stub: the chip restarts, for every chip. */
import assert from "node:assert/strict";
import { ESP_CHIPS } from "./chips.ts";
import { ESP_TIMING } from "./timing.ts";
import { dataBlock, request, Wire, words } from "./testing.ts";

const OK2 = Uint8Array.from([0, 0]);
const STUB_ENTRY = 0x40380010;

/** Syncs with the ROM and "uploads a stub" (any bytes; the entry lies inside them). */
async function startStub(w: Wire): Promise<void> {
  await w.sync();
  await w.command(0x05, words(64, 1, 0x1800, 0x40380000));
  const [data, chk] = dataBlock(new Uint8Array(64).fill(0x13), 0);
  await w.command(0x07, data, chk);
  const from = w.frames.length;
  await w.command(0x06, words(0, STUB_ENTRY));
  await w.until(() => w.frames.slice(from).some((f) => f.raw.length === 4)); // OHAI
  assert.equal(w.port.device.mode, "stub");
}

/** What the ROM prints after the stub's software reset. */
function softResetBanner(id: string, download: boolean): string {
  const c = ESP_CHIPS[id];
  const pc = c.romHeader.startsWith("ESP-ROM:") ? `Saved PC:0x${STUB_ENTRY.toString(16)}\r\n` : "";
  return `${c.romHeader}${c.softwareReset},${download ? c.downloadBoot : c.flashBoot}\r\n${pc}`;
}

for (const id of Object.keys(ESP_CHIPS)) {
  Deno.test(`${id}: stub FLASH_END(reboot) restarts into the ROM loader while strapped for download`, async () => {
    const w = await Wire.open(`sim:${id}?usb=uart`);
    const dev = w.port.device;
    dev.bootDownload(); // BOOT held: the strap selects download mode at every reset
    await w.until(() => w.text.includes("waiting for download"));
    await startStub(w);
    assert.deepEqual((await w.command(0x02, words(0, 0, 0x4000, 0))).data, OK2);
    const shown = w.text.length;
    const end = await w.command(0x04, words(0));
    assert.deepEqual(
      end.raw,
      Uint8Array.from([1, 0x04, 2, 0, 0, 0, 0, 0, 0, 0]),
      "stub acks first",
    );
    const acked = w.clock.now();
    // While the stub drains its UART and waits, and while the ROM boots, input is lost.
    const before = w.frames.length;
    await w.send(request(0x08, new Uint8Array([7, 7, 0x12, 0x20, ...Array(32).fill(0x55)])));
    await w.until(() => w.text.slice(shown).includes("waiting for download"));
    assert.ok(
      w.clock.now() - acked >= ESP_TIMING.stubRebootDelayMs + ESP_TIMING.bootBannerMs,
      `banner ${w.clock.now() - acked} ms after the ack`,
    );
    assert.equal(w.text.slice(shown), softResetBanner(id, true) + "waiting for download\r\n");
    assert.equal(w.frames.length, before, "the SYNC sent during the restart got no answer");
    assert.equal(dev.mode, "rom");
    const syncs = await w.sync();
    assert.equal(syncs.length, 8);
    for (const r of syncs) {
      assert.equal(r.value, 0x20120707, "the ROM's SYNC value, not the stub's 0");
      assert.deepEqual(r.data, Uint8Array.from([0, 0, 0, 0]), "4 ROM status bytes");
    }
    assert.equal(dev.baud(), 115200);
    await w.close();
  });
}

Deno.test("a stub reboot with the strap released boots the app and stops answering", async () => {
  const w = await Wire.open("sim:esp32c3?usb=uart");
  await w.resetToDownload(); // DTR held IO9 low only during the reset pulse
  await startStub(w);
  await w.command(0x02, words(0, 0, 0x4000, 0));
  const shown = w.text.length;
  await w.command(0x04, words(0));
  await w.until(() => w.text.slice(shown).includes("invalid header"));
  assert.equal(
    w.text.slice(shown),
    softResetBanner("esp32c3", false) + "invalid header: 0xffffffff\r\n",
  );
  assert.equal(w.port.device.mode, "app");
  const before = w.frames.length;
  await w.send(request(0x08, new Uint8Array([7, 7, 0x12, 0x20, ...Array(32).fill(0x55)])));
  await w.idle(100);
  assert.equal(w.frames.length, before);
  await w.close();
});

Deno.test("FLASH_END(1) to the stub keeps it running (no restart)", async () => {
  const w = await Wire.open("sim:esp32s3?usb=uart");
  w.port.device.bootDownload();
  await w.until(() => w.text.includes("waiting for download"));
  await startStub(w);
  await w.command(0x02, words(0, 0, 0x4000, 0));
  const shown = w.text.length;
  assert.deepEqual((await w.command(0x04, words(1))).data, OK2);
  await w.idle(50);
  assert.equal(w.text.slice(shown), "");
  assert.equal(w.port.device.mode, "stub");
  await w.close();
});
