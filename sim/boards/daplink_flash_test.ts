import { deepEqual as assertEquals, ok } from "node:assert/strict";
import { bringUp, session, transfer, word } from "./testing.ts";

const FIRMWARE = new URL("../../../shared/firmware/microbit/", import.meta.url);
let present = true;
try {
  Deno.statSync(FIRMWARE);
} catch {
  present = false;
  console.log(`skipping DAPLink stream tests on real images: ${FIRMWARE.pathname} is absent`);
}

/** Streams `bytes` as DAPLink hosts do: OPEN, WRITE chunks of `chunk` bytes, CLOSE. */
async function stream(
  cmd: (p: Uint8Array | number[]) => Promise<Uint8Array>,
  type: number,
  bytes: Uint8Array,
  chunk = 62,
) {
  const statuses: number[] = [(await cmd([0x8a, type]))[1]];
  for (let i = 0; i < bytes.length; i += chunk) {
    const part = bytes.subarray(i, i + chunk);
    const r = await cmd([0x8c, part.length, ...part]);
    statuses.push(r[1]);
    if (r[1] === 18) break; // ERROR_SUCCESS_DONE: end of hex seen
  }
  statuses.push((await cmd([0x8b]))[1]);
  return statuses;
}

Deno.test("binary stream: chip erase, program from 0, target reset and SWD left down", async () => {
  const { cmd, board, link, clock } = await session("sim:microbit-v1");
  board.device.flash.fill(0x00, 0x8000, 0x8400); // stale data the chip erase must clear
  const image = new Uint8Array(3000).map((_, i) => (i * 13) & 0xff);
  const t0 = clock.now();
  const statuses = await stream(cmd, 0, image);
  assertEquals(statuses[0], 0);
  ok(statuses.slice(1, -1).every((s) => s === 19));
  assertEquals(statuses.at(-1), 0);
  assertEquals(board.device.flash.subarray(0, 3000), image);
  assertEquals(board.device.flash[0x8000], 0xff);
  ok(clock.now() - t0 > 22.3 + 3 * 256 * 0.046, "chip erase and three pages of writes take time");
  // FLASH_CLOSE leaves the SW-DP in its reset state: only a DPIDR read answers
  assertEquals((await cmd([0x02, 0x01]))[1], 1);
  assertEquals((await cmd(transfer([{ read: true, reg: 0x4 }])))[2], 0x07);
  await bringUp(cmd);
  const st = await cmd(transfer([{ read: true, reg: 0x4 }]));
  assertEquals(word(st, 3) >>> 28, 0xf);
  await link.close();
});

Deno.test("stream commands in the wrong state answer ERROR_INTERNAL; 0x89 resets", async () => {
  const { cmd, board, link } = await session("sim:microbit-v2");
  assertEquals([...(await cmd([0x8c, 1, 0x00])).subarray(0, 2)], [0x8c, 2]);
  assertEquals([...(await cmd([0x8b])).subarray(0, 2)], [0x8b, 2]);
  assertEquals([...(await cmd([0x8a, 7])).subarray(0, 2)], [0x8a, 2]);
  board.device.cpu.resetSeen = false;
  assertEquals([...(await cmd([0x89])).subarray(0, 2)], [0x89, 1]);
  ok(board.device.cpu.resetSeen);
  assertEquals([...(await cmd([0x9e])).subarray(0, 2)], [0x9e, 0]); // unknown vendor: echo
  await link.close();
});

Deno.test({
  name: "hex stream of a Universal Hex programs the board's own section and stops at EOF",
  ignore: !present,
  fn: async () => {
    const text = await Deno.readTextFile(
      new URL("makecode-universal-hex/microbit-Dice.hex", FIRMWARE),
    );
    const { parseHexForBoard } = await import("../dap/hex.ts");
    for (const address of ["sim:microbit-v1", "sim:microbit-v2"]) {
      const { cmd, board, link } = await session(address);
      const statuses = await stream(cmd, 1, new TextEncoder().encode(text));
      assertEquals(statuses.at(-2), 18);
      assertEquals(statuses.at(-1), 0);
      const expected = new Uint8Array(board.device.flash.length).fill(0xff);
      for (const s of parseHexForBoard(text, board.spec.boardId)) {
        if (s.address + s.data.length <= expected.length) expected.set(s.data, s.address);
      }
      ok(board.device.flash.every((b, i) => b === expected[i]), `${address} flash matches`);
      await link.close();
    }
  },
});
