import { deepEqual as assertEquals } from "node:assert/strict";
import { SlipDecoder, SlipDecoderStream, slipEncode, SlipEncoderStream } from "./slip.ts";

Deno.test("slipEncode escapes C0 and DB and delimits the frame", () => {
  assertEquals(
    [...slipEncode(Uint8Array.from([0x01, 0xc0, 0x02, 0xdb, 0x03]))],
    [0xc0, 0x01, 0xdb, 0xdc, 0x02, 0xdb, 0xdd, 0x03, 0xc0],
  );
});

Deno.test("SlipDecoder reassembles split frames and keeps banner text as noise", () => {
  const d = new SlipDecoder();
  const wire = [
    ...new TextEncoder().encode("waiting for download\r\n"),
    ...slipEncode(Uint8Array.from([1, 0xc0, 2])),
    ...slipEncode(Uint8Array.from([0xdb])),
  ];
  const frames = [
    ...d.push(Uint8Array.from(wire.slice(0, 25))),
    ...d.push(Uint8Array.from(wire.slice(25))),
  ];
  assertEquals(frames.map((f) => [...f]), [[1, 0xc0, 2], [0xdb]]);
  assertEquals(d.takeNoise(), "waiting for download\r\n");
});

Deno.test("SlipDecoder treats back-to-back delimiters as one frame start", () => {
  const d = new SlipDecoder();
  assertEquals(d.push(Uint8Array.from([0xc0, 0xc0, 5, 6, 0xc0])).map((f) => [...f]), [[5, 6]]);
});

Deno.test("SLIP encoder and decoder streams round-trip packets", async () => {
  const packets = [Uint8Array.from([0xc0, 0xdb, 0xdc]), Uint8Array.from([9, 8, 7])];
  const out: number[][] = [];
  await ReadableStream.from(packets)
    .pipeThrough(new SlipEncoderStream())
    .pipeThrough(new SlipDecoderStream())
    .pipeTo(new WritableStream({ write: (f) => void out.push([...f]) }));
  assertEquals(out, packets.map((p) => [...p]));
});
