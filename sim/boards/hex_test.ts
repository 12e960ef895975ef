import { deepEqual as assertEquals, notDeepEqual, ok, throws } from "node:assert/strict";
import { UsageError } from "../../kernel/mod.ts";
import { loadHex } from "./bank.ts";
import { parseHexForBoard } from "../dap/hex.ts";
import { bringUp, session, transfer, word } from "./testing.ts";

const FIRMWARE = new URL("../../../shared/firmware/microbit/", import.meta.url);
let present = true;
try {
  Deno.statSync(FIRMWARE);
} catch {
  present = false;
  console.log(`skipping firmware-based hex tests: ${FIRMWARE.pathname} is absent`);
}
const read = (path: string) => Deno.readTextFileSync(new URL(path, FIRMWARE));

Deno.test("plain records, extended addresses and checksum errors", () => {
  const hex = [":020000040001F9", ":0400100001020304E2", ":00000001FF"].join("\n");
  assertEquals(parseHexForBoard(hex, "9900"), [
    { address: 0x10010, data: new Uint8Array([1, 2, 3, 4]) },
  ]);
  throws(() => parseHexForBoard(":0400100001020304E3", "9900"), UsageError);
});

Deno.test({
  name: "Universal Hex: each board keeps its own family's section",
  ignore: !present,
  fn: () => {
    const text = read("universal-hex-format/combined-32-sections-1-9901-2-9903.hex");
    const v1 = parseHexForBoard(text, "9900");
    const v2 = parseHexForBoard(text, "9903");
    ok(v1.length > 0 && v2.length > 0);
    notDeepEqual(v1, v2);
  },
});

Deno.test({
  name: "a MicroPython V1 image loads; reset-and-halt stops at its reset handler",
  ignore: !present,
  fn: async () => {
    const { cmd, board, link } = await session("sim:microbit-v1");
    loadHex(board, read("micropython/micropython-v1_1.1.1_9eaa1799.hex"));
    const flash = new DataView(board.device.flash.buffer);
    assertEquals(flash.getUint32(0, true), 0x20004000);
    const handler = flash.getUint32(4, true);
    await bringUp(cmd);
    await cmd(transfer([
      { ap: true, reg: 0x4, value: 0xe000edf0 },
      { ap: true, reg: 0xc, value: 0xa05f0003 },
      { ap: true, reg: 0x4, value: 0xe000edfc },
      { ap: true, reg: 0xc, value: 1 },
      { ap: true, reg: 0x4, value: 0xe000ed0c },
      { ap: true, reg: 0xc, value: 0x05fa0004 },
      { ap: true, reg: 0x4, value: 0xe000edf4 },
      { ap: true, reg: 0xc, value: 15 }, // DCRSR: read PC → DCRDR
    ]));
    const pc = await cmd(transfer([{ ap: true, read: true, reg: 0xc }])); // DCRDR (TAR advanced)
    assertEquals(word(pc, 3), handler & ~1);
    await link.close();
  },
});

Deno.test({
  name: "a MakeCode Universal Hex puts its V1 UICR bootloader address into the UICR",
  ignore: !present,
  fn: async () => {
    const { board, link } = await session("sim:microbit-v1");
    loadHex(board, read("makecode-universal-hex/microbit-Dice.hex"));
    assertEquals(new DataView(board.device.uicr.buffer).getUint32(0x14, true), 0x3c000);
    await link.close();
  },
});
