import { deepEqual as assertEquals, equal, throws } from "node:assert/strict";

function assertThrows(fn: () => unknown, type?: abstract new (...a: never[]) => Error): unknown {
  let caught: unknown;
  throws(() => {
    try {
      fn();
    } catch (e) {
      caught = e;
      throw e;
    }
  });
  if (type && !(caught instanceof type)) throw new Error(`expected ${type.name}, got ${caught}`);
  return caught;
}
import { EspCommandError, EspUnsupportedError } from "./errors.ts";
import {
  beginRequest,
  checkResponse,
  checksum,
  decodeMd5,
  decodeResponse,
  encodeDataBlock,
  encodeRequest,
  Op,
} from "./protocol.ts";

Deno.test("checksum matches the esp-serial-flasher test vector", () => {
  const data = Uint8Array.from([0xdb, 0x61, 0x62, 0x63, 0xc0, 0xdb, 0x64, 0x65, 0xc0, 0x66, 0xdb]);
  assertEquals(checksum(data), 0x33);
});

Deno.test("encodeRequest lays out direction, op, LE size and checksum", () => {
  assertEquals(
    [...encodeRequest(Op.READ_REG, Uint8Array.from([0, 0x10, 0, 0x40]))],
    [0x00, 0x0a, 0x04, 0x00, 0, 0, 0, 0, 0, 0x10, 0, 0x40],
  );
});

Deno.test("encodeDataBlock prefixes length and sequence and checksums the data", () => {
  const p = encodeDataBlock(Op.FLASH_DEFL_DATA, 3, Uint8Array.from([1, 2, 3]));
  assertEquals([...p.subarray(0, 8)], [0x00, 0x11, 19, 0, 0xef ^ 1 ^ 2 ^ 3, 0, 0, 0]);
  assertEquals([...p.subarray(8, 24)], [3, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
});

Deno.test("beginRequest sends the 5th word only where the ROM takes it", () => {
  assertEquals(beginRequest(0x1000, 4, 0x400, 0x10000, false).length, 16);
  assertEquals(beginRequest(0x1000, 4, 0x400, 0x10000, true).length, 20);
});

Deno.test("ROM and stub responses parse by their status length", () => {
  const rom = Uint8Array.from([1, 0x0a, 4, 0, 0x83, 0x1d, 0xf0, 0, 0, 0, 0, 0]);
  const r = decodeResponse(rom, 4)!;
  assertEquals([r.op, r.value, r.status, r.body.length], [0x0a, 0x00f01d83, 0, 0]);
  const stub = Uint8Array.from([1, 0x0a, 2, 0, 1, 0, 0, 0, 0, 0]);
  assertEquals(decodeResponse(stub, 2)!.value, 1);
  assertEquals(decodeResponse(Uint8Array.from([0, 1, 2]), 4), undefined);
});

Deno.test("MD5 bodies: 32 hex chars from the ROM, 16 raw bytes from a stub", () => {
  const hex = new TextEncoder().encode("00112233445566778899aabbccddeeff");
  assertEquals([...decodeMd5(hex)].slice(0, 3), [0x00, 0x11, 0x22]);
  assertEquals(decodeMd5(new Uint8Array(16).fill(7))[15], 7);
  assertThrows(() => decodeMd5(new Uint8Array(20)));
});

Deno.test("failure statuses become typed errors with hints", () => {
  const fail = (status: number, error: number) => ({
    op: Op.FLASH_DEFL_DATA,
    value: 0,
    body: new Uint8Array(0),
    status,
    error,
  });
  const e = assertThrows(() => checkResponse(Op.FLASH_DEFL_DATA, fail(1, 0x07))) as EspCommandError;
  assertEquals(e instanceof EspCommandError, true);
  assertEquals(e.errorCode, 0x07);
  assertEquals(typeof e.hint, "string");
  assertThrows(() => checkResponse(0x14, fail(1, 0x05)), EspUnsupportedError);
  const s = assertThrows(() => checkResponse(0x11, fail(0xc1, 0))) as EspCommandError;
  assertEquals(s.errorCode, 0xc1);
});

Deno.test("the crystal estimate from the ROM's UART divider tells 26 from 40 MHz", async () => {
  const { crystalMhz } = await import("./chips.ts");
  equal(Math.round(crystalMhz(Math.round(40e6 / 115200), 115200)), 40);
  equal(Math.round(crystalMhz(Math.round(26e6 / 115200), 115200)), 26);
});
