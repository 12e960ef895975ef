import assert from "node:assert/strict";
import {
  COM_PORT_OPTION,
  DO,
  escapeIac,
  IAC,
  SB,
  SE,
  subnegotiation,
  TelnetDecoder,
  WILL,
} from "./telnet.ts";

Deno.test("telnet: IAC is doubled in data and in subnegotiations", () => {
  assert.deepEqual(
    escapeIac(new Uint8Array([1, 255, 2, 255])),
    new Uint8Array([1, 255, 255, 2, 255, 255]),
  );
  const plain = new Uint8Array([1, 2, 3]);
  assert.equal(escapeIac(plain), plain);
  // SET-BAUDRATE 0x0000ffff carries two 0xFF bytes.
  assert.deepEqual(
    subnegotiation(COM_PORT_OPTION, new Uint8Array([1, 0, 0, 255, 255])),
    new Uint8Array([IAC, SB, 44, 1, 0, 0, 255, 255, 255, 255, IAC, SE]),
  );
});

Deno.test("telnet: decoder separates data, verbs and subnegotiations across chunk splits", () => {
  const wire = new Uint8Array([
    0x41,
    IAC,
    IAC,
    0x42,
    IAC,
    WILL,
    44,
    0x43,
    IAC,
    SB,
    44,
    101,
    0,
    1,
    0xc2,
    255,
    255,
    IAC,
    SE,
    0x44,
    IAC,
    DO,
    0,
  ]);
  for (let split = 0; split <= wire.length; split++) {
    const d = new TelnetDecoder();
    const a = d.feed(wire.subarray(0, split));
    const b = d.feed(wire.subarray(split));
    assert.deepEqual([...a.data, ...b.data], [0x41, 0xff, 0x42, 0x43, 0x44], `split ${split}`);
    assert.deepEqual([...a.events, ...b.events], [
      { type: "verb", verb: WILL, option: 44 },
      { type: "sb", option: 44, payload: new Uint8Array([101, 0, 1, 0xc2, 255]) },
      { type: "verb", verb: DO, option: 0 },
    ]);
  }
});
