import assert from "node:assert/strict";
import { checksum, parseRequest, responsePacket, statusBytes } from "./protocol.ts";

Deno.test("checksum: esp-serial-flasher test vector gives 0x33", () => {
  const data = Uint8Array.from([0xdb, 0x61, 0x62, 0x63, 0xc0, 0xdb, 0x64, 0x65, 0xc0, 0x66, 0xdb]);
  assert.equal(checksum(data), 0x33);
  assert.equal(checksum(new Uint8Array(0)), 0xef);
});

Deno.test("request header parse and response layout", () => {
  const req = parseRequest(Uint8Array.from([0, 0x0a, 4, 0, 0, 0, 0, 0, 0, 0x10, 0, 0x40]));
  assert.equal(req?.op, 0x0a);
  assert.equal(req?.size, 4);
  assert.deepEqual(req?.data, Uint8Array.from([0, 0x10, 0, 0x40]));
  assert.equal(parseRequest(Uint8Array.from([1, 0x0a, 0, 0, 0, 0, 0, 0])), undefined);
  const resp = responsePacket(0x0a, 0x00f01d83, statusBytes(4, undefined));
  assert.deepEqual(resp, Uint8Array.from([1, 0x0a, 4, 0, 0x83, 0x1d, 0xf0, 0, 0, 0, 0, 0]));
  assert.deepEqual(statusBytes(4, 0x07), Uint8Array.from([1, 7, 0, 0]));
  assert.deepEqual(statusBytes(2, 0xc1), Uint8Array.from([0xc1, 0]));
});
