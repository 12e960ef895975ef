import assert from "node:assert/strict";
import { SlipDecoder, slipEncode } from "./slip.ts";

Deno.test("SLIP escapes C0 and DB and round-trips", () => {
  const packet = Uint8Array.from([0x01, 0xc0, 0x02, 0xdb, 0xdb, 0xc0, 0x03]);
  const frame = slipEncode(packet);
  assert.deepEqual(
    frame,
    Uint8Array.from([0xc0, 0x01, 0xdb, 0xdc, 0x02, 0xdb, 0xdd, 0xdb, 0xdd, 0xdb, 0xdc, 0x03, 0xc0]),
  );
  assert.deepEqual(new SlipDecoder().push(frame), [packet]);
});

Deno.test("SLIP decoder handles split input, back-to-back frames and noise", () => {
  const a = Uint8Array.from([1, 2, 0xc0]);
  const b = Uint8Array.from([0xdb, 4]);
  const wire = new Uint8Array([
    ...new TextEncoder().encode("boot noise\r\n"),
    ...slipEncode(a),
    ...slipEncode(b),
  ]);
  const d = new SlipDecoder();
  const frames: Uint8Array[] = [];
  for (let i = 0; i < wire.length; i += 3) frames.push(...d.push(wire.subarray(i, i + 3)));
  assert.deepEqual(frames, [a, b]);
  assert.equal(d.noiseBytes, 12);
});

Deno.test("SLIP decoder drops a frame with a bad escape", () => {
  const d = new SlipDecoder();
  const frames = d.push(Uint8Array.from([0xc0, 1, 0xdb, 0x01, 2, 0xc0, 0xc0, 9, 0xc0]));
  assert.deepEqual(frames, [Uint8Array.from([9])]);
  assert.equal(d.badFrames, 1);
});

Deno.test("random packets survive encode/decode", () => {
  const d = new SlipDecoder();
  for (let n = 1; n < 200; n += 7) {
    const p = Uint8Array.from({ length: n }, (_, i) => (i * 97 + n) % 256);
    assert.deepEqual(d.push(slipEncode(p)), [p]);
  }
});
