import { deepEqual as assertEquals, rejects } from "node:assert/strict";
import { bringUp, session, transfer, transferBlock, word } from "../boards/testing.ts";

const bytes = (r: Uint8Array, n: number) => [...r.subarray(0, n)];
const ascii = (r: Uint8Array, from: number, n: number) =>
  new TextDecoder().decode(r.subarray(from, from + n));

Deno.test("DAP_Info, vendor 0x80 and unknown commands, byte for byte", async () => {
  const { cmd, link } = await session("sim:microbit-v2");
  assertEquals(bytes(await cmd([0x00, 0xfe]), 3), [0x00, 0x01, 0x05]);
  assertEquals(bytes(await cmd([0x00, 0xff]), 4), [0x00, 0x02, 0x40, 0x00]);
  assertEquals(bytes(await cmd([0x00, 0xf0]), 4), [0x00, 0x02, 0x11, 0x00]);
  const fw = await cmd([0x00, 0x04]);
  assertEquals([fw[1], ascii(fw, 2, 6)], [6, "2.1.0\0"]);
  assertEquals(bytes(await cmd([0x00, 0x42]), 2), [0x00, 0x00]);
  const id = await cmd([0x80]);
  assertEquals([id[0], id[1], ascii(id, 2, 4)], [0x80, 48, "9903"]);
  assertEquals(bytes(await cmd([0x55]), 1), [0xff]);
  assertEquals((await cmd([0x00, 0x01])).length, 64);
  await link.close();
});

Deno.test("Connect/Disconnect; transfers need a connected SWD port and a line reset + DPIDR", async () => {
  const { cmd, link } = await session();
  assertEquals(bytes(await cmd([0x05, 0, 1, 0x02]), 3), [0x05, 0, 0]); // not connected
  assertEquals(bytes(await cmd([0x02, 0x02]), 2), [0x02, 0x00]); // JTAG: not available
  assertEquals(bytes(await cmd([0x02, 0x00]), 2), [0x02, 0x01]); // default → SWD
  await cmd([0x12, 56, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]); // line reset
  assertEquals(bytes(await cmd(transfer([{ read: true, reg: 0x4 }])), 3), [0x05, 0, 0x07]);
  const id = await cmd(transfer([{ read: true, reg: 0x0 }]));
  assertEquals([id[1], id[2], word(id, 3)], [1, 1, 0x0bb11477]);
  assertEquals(bytes(await cmd([0x03]), 2), [0x03, 0x00]);
  assertEquals(bytes(await cmd([0x08, 0, 0x1e, 0, 0, 0]), 2), [0x08, 0xff]);
  await link.close();
});

Deno.test("CTRL/STAT power-up handshake and posted AP reads come back in order", async () => {
  const { cmd, board, link } = await session();
  await bringUp(cmd);
  const st = await cmd(transfer([{ read: true, reg: 0x4 }]));
  assertEquals(word(st, 3) >>> 28, 0xf); // both REQ and both ACK bits
  new DataView(board.device.ram.buffer).setUint32(0x10, 0x11111111, true);
  new DataView(board.device.ram.buffer).setUint32(0x14, 0x22222222, true);
  new DataView(board.device.ram.buffer).setUint32(0x18, 0x33333333, true);
  const r = await cmd(transfer([
    { ap: true, reg: 0x4, value: 0x20000010 },
    { ap: true, read: true, reg: 0xc },
    { ap: true, read: true, reg: 0xc },
    { read: true, reg: 0x4 }, // a DP read in between collects the posted AP read first
    { ap: true, read: true, reg: 0xc },
    { ap: true, read: true, reg: 0x4 }, // TAR after three increments
  ]));
  assertEquals([r[1], r[2]], [6, 1]);
  assertEquals([word(r, 3, 0), word(r, 3, 1)], [0x11111111, 0x22222222]);
  assertEquals(word(r, 3, 2) >>> 28, 0xf);
  assertEquals([word(r, 3, 3), word(r, 3, 4)], [0x33333333, 0x2000001c]);
  await link.close();
});

Deno.test("a bus fault sets STICKYERR: the transfer reports FAULT, later ones too until ABORT", async () => {
  const { cmd, link } = await session();
  await bringUp(cmd);
  const r = await cmd(transfer([
    { ap: true, reg: 0x4, value: 0x30000000 },
    { ap: true, read: true, reg: 0xc }, // posted: OK on the wire; the RDBUFF read faults
  ]));
  assertEquals(bytes(r, 3), [0x05, 2, 0x04]);
  assertEquals(bytes(await cmd(transfer([{ read: true, reg: 0xc }])), 3), [0x05, 0, 0x04]);
  const write = await cmd(transfer([
    { read: true, reg: 0x4 },
    { ap: true, reg: 0x4, value: 0x20000000 },
    { ap: true, reg: 0xc, value: 1 },
  ]));
  assertEquals(bytes(write, 3), [0x05, 1, 0x04]); // stops at the first FAULT
  assertEquals(word(write, 3) & 0x20, 0x20); // STICKYERR
  assertEquals(bytes(await cmd([0x08, 0, 0x04, 0, 0, 0]), 2), [0x08, 0x00]);
  const ok = await cmd(transfer([{ read: true, reg: 0x4 }]));
  assertEquals([ok[2], word(ok, 3) & 0x20], [0x01, 0]);
  await link.close();
});

Deno.test("read-with-match polls DHCSR inside the probe; a mismatch reports 0x11", async () => {
  const { cmd, link } = await session();
  await bringUp(cmd);
  await cmd([0x04, 0, 100, 0, 50, 0]); // idle 0, WAIT retry 100, match retry 50
  const halt = await cmd(transfer([
    { ap: true, reg: 0x0, value: 0x23000002 }, // CSW: 32-bit, no auto-increment
    { ap: true, reg: 0x4, value: 0xe000edf0 },
    { ap: true, reg: 0xc, value: 0xa05f0003 },
    { reg: 0x0, matchMask: true, value: 0x00020000 },
    { ap: true, read: true, reg: 0xc, match: true, value: 0x00020000 },
  ]));
  assertEquals(bytes(halt, 3), [0x05, 5, 0x01]);
  const miss = await cmd(transfer([
    { ap: true, read: true, reg: 0x4 },
    { ap: true, read: true, reg: 0xc, match: true, value: 0 },
  ]));
  // the TAR read completes (count 1, data kept); the match read fails: count stays 1
  assertEquals([miss[1], miss[2], word(miss, 3)], [1, 0x11, 0xe000edf0]);
  await link.close();
});

Deno.test("WAIT while the NVMC erases: retried, reported when retries run out", async () => {
  const { cmd, link } = await session();
  await bringUp(cmd);
  await cmd(transfer([
    { ap: true, reg: 0x4, value: 0x4001e504 },
    { ap: true, reg: 0xc, value: 2 }, // CONFIG = EEN
    { ap: true, reg: 0xc, value: 0x400 }, // ERASEPAGE (TAR auto-incremented to 0x508)
  ]));
  await cmd([0x04, 0, 0, 0, 0, 0]); // no WAIT retries
  const wait = await cmd(transfer([
    { ap: true, reg: 0x4, value: 0x400 },
    { ap: true, read: true, reg: 0xc },
  ]));
  // the AP read is posted (OK, count 2); collecting it with RDBUFF answers WAIT
  assertEquals(bytes(wait, 3), [0x05, 2, 0x02]);
  await cmd([0x04, 0, 0xff, 0xff, 0, 0]); // 65535 retries outlast a 22.3 ms erase
  const done = await cmd(transfer([{ ap: true, read: true, reg: 0xc }]));
  assertEquals([done[1], done[2], word(done, 3)], [1, 0x01, 0xffffffff]);
  await link.close();
});

Deno.test("DAP_TransferBlock: write then read 14 words, counts in the u16 field", async () => {
  const { cmd, link } = await session("sim:microbit-v2");
  await bringUp(cmd);
  const values = Array.from({ length: 14 }, (_, i) => (0xa0000000 + i) >>> 0);
  await cmd(transfer([{ ap: true, reg: 0x4, value: 0x20000400 }]));
  assertEquals(bytes(await cmd(transferBlock(true, 0xc, values)), 4), [0x06, 14, 0, 0x01]);
  await cmd(transfer([{ ap: true, reg: 0x4, value: 0x20000400 }]));
  const r = await cmd(transferBlock(true, 0xc, 14));
  assertEquals(bytes(r, 4), [0x06, 14, 0, 0x01]);
  assertEquals(Array.from({ length: 14 }, (_, i) => word(r, 4, i)), values);
  await link.close();
});

Deno.test("reset and halt via DEMCR.VC_CORERESET and AIRCR.SYSRESETREQ", async () => {
  const { cmd, board, link } = await session();
  await bringUp(cmd);
  // vector table: SP 0x20001000, reset handler 0x101 (Thumb) running `b .`
  const flash = new DataView(board.device.flash.buffer);
  flash.setUint32(0, 0x20001000, true);
  flash.setUint32(4, 0x101, true);
  flash.setUint16(0x100, 0xe7fe, true);
  await cmd(transfer([
    { ap: true, reg: 0x4, value: 0xe000edf0 },
    { ap: true, reg: 0xc, value: 0xa05f0003 }, // halt
    { ap: true, reg: 0x4, value: 0xe000edfc },
    { ap: true, reg: 0xc, value: 1 }, // DEMCR.VC_CORERESET
    { ap: true, reg: 0x4, value: 0xe000ed0c },
    { ap: true, reg: 0xc, value: 0x05fa0004 }, // SYSRESETREQ
  ]));
  const st = await cmd(transfer([
    { ap: true, reg: 0x4, value: 0xe000edf0 },
    { ap: true, read: true, reg: 0xc },
  ]));
  const dhcsr = word(st, 3);
  assertEquals([(dhcsr >>> 17) & 1, (dhcsr >>> 25) & 1], [1, 1]); // S_HALT, S_RESET_ST
  assertEquals(board.device.cpu.r[15], 0x100);
  assertEquals(board.device.cpu.dfsr & 8, 8); // VCATCH
  await link.close();
});

Deno.test("programming flash through TransferBlock: each word holds the AHB-AP ~46 µs", async () => {
  const { cmd, board, link, clock } = await session();
  await bringUp(cmd);
  await cmd(transfer([
    { ap: true, reg: 0x4, value: 0x4001e504 },
    { ap: true, reg: 0xc, value: 1 }, // CONFIG = WEN
  ]));
  await cmd([0x04, 0, 0, 0, 0, 0]); // no WAIT retries: the second word must wait
  await cmd(transfer([{ ap: true, reg: 0x4, value: 0x2000 }]));
  const words = Array.from({ length: 14 }, (_, i) => (0x12340000 + i) >>> 0);
  const block = [
    0x06,
    0,
    14,
    0,
    0x0d,
    ...words.flatMap((w) => [w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24]),
  ];
  assertEquals(bytes(await cmd(block), 4), [0x06, 1, 0, 0x02]);
  await cmd([0x04, 0, 100, 0, 0, 0]);
  await cmd(transfer([{ ap: true, reg: 0x4, value: 0x2000 }]));
  const t0 = clock.now();
  assertEquals(bytes(await cmd(block), 4), [0x06, 14, 0, 0x01]);
  const flash = new DataView(board.device.flash.buffer);
  assertEquals(Array.from({ length: 14 }, (_, i) => flash.getUint32(0x2000 + 4 * i, true)), words);
  // 14 words at 46 µs each cannot take less than 0.64 ms of probe time (+ 2 USB frames)
  assertEquals(clock.now() - t0 >= 2 + 14 * 0.046, true);
  await link.close();
});

Deno.test("ExecuteCommands, HostStatus, SWD_Configure, serial settings, ResetTarget", async () => {
  const { cmd, board, link } = await session("sim:microbit-v1");
  // ExecuteCommands: DAP_Info(0xFE) + HostStatus(connected, on) + SWD_Configure(0)
  const multi = await cmd([0x7f, 3, 0x00, 0xfe, 0x01, 0x00, 0x01, 0x13, 0x00]);
  assertEquals(bytes(multi, 9), [0x7f, 3, 0x00, 0x01, 0x05, 0x01, 0x00, 0x13, 0x00]);
  assertEquals(bytes(await cmd([0x01, 0x05, 0x01]), 2), [0x01, 0xff]); // unknown LED
  const serial = await cmd([0x81]);
  assertEquals(word(serial, 1), 115200);
  assertEquals(bytes(await cmd([0x82, 0x00, 0xc2, 0x01, 0x00, 8, 0, 0, 0]), 2), [0x82, 0x01]);
  assertEquals(word(await cmd([0x81]), 1), 0x1c200);
  board.device.cpu.resetSeen = false;
  assertEquals(bytes(await cmd([0x0a]), 3), [0x0a, 0x00, 0x01]);
  assertEquals(board.device.cpu.resetSeen, true);
  await link.close();
});

Deno.test("SWJ_Pins: releasing a held nRESET resets the target", async () => {
  const { cmd, board, link } = await session("sim:microbit-v1");
  board.device.cpu.resetSeen = false;
  assertEquals(bytes(await cmd([0x10, 0x00, 0x80, 0, 0, 0, 0]), 2), [0x10, 0x03]); // assert
  assertEquals(board.device.cpu.resetSeen, false);
  assertEquals(bytes(await cmd([0x10, 0x80, 0x80, 0, 0, 0, 0]), 2), [0x10, 0x83]); // release
  assertEquals(board.device.cpu.resetSeen, true);
  await link.close();
});

Deno.test("a request whose response cannot fit 64 bytes is reported, not truncated", async () => {
  const { cmd, link } = await session("sim:microbit-v1");
  await bringUp(cmd);
  await cmd(transfer([{ ap: true, reg: 0x4, value: 0x20000000 }]));
  await rejects(cmd(transferBlock(true, 0xc, 16)), /68-byte response/);
  const ok15 = await cmd(transferBlock(true, 0xc, 15));
  assertEquals(bytes(ok15, 4), [0x06, 15, 0, 0x01]);
  await link.close();
});
