/**
 * Line rate: esptool's 460800 by default behind a USB-UART bridge (115200 kept on
 * USB-Serial-JTAG, where the rate means nothing); a large write at 115200 suggests --baud.
 *
 * @module
 */
import { doesNotMatch, equal, match } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { firmware, needsFirmware } from "./support/firmware.ts";
import { runCli } from "./support/run_cli.ts";

const dist = fileURLToPath(new URL("../examples/firmware/dist/", import.meta.url));

async function flashJson(...args: string[]) {
  const state = `${await Deno.makeTempDir({ prefix: "deltaflash-baud-" })}/flash.bin`;
  const [port, ...rest] = args;
  const r = await runCli(["flash", "--json", "-p", `${port}&state=${state}`, ...rest]);
  equal(r.code, 0, r.stderr);
  return { json: JSON.parse(r.stdout), stderr: r.stderr };
}

Deno.test("default baud: 460800 behind a USB-UART bridge, 115200 on USB-Serial-JTAG", async () => {
  const app = `${dist}esp32c3-blink-v1.bin@0x10000`;
  const uart = await flashJson("sim:esp32c3?usb=uart", app);
  equal(uart.json.device.details.baud, "460800");
  const jtag = await flashJson("sim:esp32c3?usb=jtag", app);
  equal(jtag.json.device.details.baud, "115200");
  const given = await flashJson("sim:esp32c3?usb=uart", "-b", "230400", app);
  equal(given.json.device.details.baud, "230400");
});

Deno.test(
  "a large write at 115200 baud suggests --baud; a small one does not",
  needsFirmware,
  async () => {
    const big = firmware("esp32/sha2017-badge/sha2017-badge_01_5d05113.bin@0x10000");
    const slow = await flashJson("sim:esp32?usb=uart", "-b", "115200", big);
    match(slow.stderr, /warning: writing 1156 KiB at 115200 baud takes about \d+ s; --baud 460800/);
    const fast = await flashJson("sim:esp32?usb=uart", big);
    doesNotMatch(fast.stderr, /--baud/);
    const small = await flashJson(
      "sim:esp32c3?usb=uart",
      "-b",
      "115200",
      `${dist}esp32c3-blink-v1.bin@0x10000`,
    );
    doesNotMatch(small.stderr, /--baud/);
  },
);
