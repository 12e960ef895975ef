import { deepEqual as assertEquals, ok } from "node:assert/strict";
import { readEachSpan, readMergedSpans, type WordReader } from "./spans.ts";

/** Word i of memory holds i / 4; reads touching `faulty` throw. Records every read. */
function memory(faulty = -1) {
  const reads: [number, number][] = [];
  const read: WordReader = (address, count) => {
    reads.push([address, count]);
    if (faulty >= address && faulty < address + 4 * count) {
      return Promise.reject(new Error("FAULT"));
    }
    return Promise.resolve(Uint32Array.from({ length: count }, (_, i) => address / 4 + i));
  };
  return { read, reads };
}

// A block's ID words (0xFCC–0xFD0 and 0xFE0–0xFFC) are 12 bytes apart: one request.
const ids = [{ address: 0x1fcc, count: 2 }, { address: 0x1fe0, count: 8 }];

Deno.test("spans: nearby spans go out as one read, in any order", async () => {
  const m = memory();
  const out = await readMergedSpans(m.read, 16)([ids[1], ids[0], { address: 0x3000, count: 1 }]);
  assertEquals(m.reads, [[0x1fcc, 13], [0x3000, 1]]);
  assertEquals(out[0], Uint32Array.from({ length: 8 }, (_, i) => 0x7f8 + i));
  assertEquals(out[1], Uint32Array.of(0x7f3, 0x7f4));
  assertEquals(out[2], Uint32Array.of(0xc00));
});

Deno.test("spans: a failed merged read is retried span by span, the error stays with its span", async () => {
  const m = memory(0x1fe4);
  const out = await readMergedSpans(m.read, 16)(ids);
  assertEquals(m.reads, [[0x1fcc, 13], [0x1fcc, 2], [0x1fe0, 8]]);
  assertEquals(out[0], Uint32Array.of(0x7f3, 0x7f4));
  ok(out[1] instanceof Error && out[1].message === "FAULT");
  const each = await readEachSpan(memory(0x1fcc).read)(ids);
  ok(each[0] instanceof Error);
  assertEquals((each[1] as Uint32Array).length, 8);
});
