import { deepEqual as assertEquals, throws as assertThrows } from "node:assert/strict";
import {
  blockCapacity,
  boardIdFromUniqueId,
  decodeBlock,
  decodeTransfer,
  encodeBlockRead,
  encodeBlockWrite,
  encodeSwjSequence,
  encodeTransfer,
  encodeTransferConfigure,
  jtagToSwdSequence,
  packTransfers,
  Req,
} from "./protocol.ts";

Deno.test("DAP_Transfer encodes writes with data and reads without", () => {
  const p = encodeTransfer([
    { req: 0x08, value: 0x01000010 }, // DP SELECT write
    { req: Req.AP | Req.READ | 0x0c }, // AP DRW read
    { req: Req.AP | Req.READ | Req.MATCH_VALUE | 0x0c, value: 0x20000 },
  ]);
  assertEquals(
    [...p],
    [5, 0, 3, 0x08, 0x10, 0, 0, 1, 0x0f, 0x1f, 0, 0, 2, 0],
  );
});

Deno.test("DAP_Transfer response: only completed plain reads return data", () => {
  const ops = [{ req: 0x02 }, { req: 0x1f, value: 1 }, { req: 0x0f }];
  const r = decodeTransfer(Uint8Array.of(5, 2, 0x11, 0x77, 0x14, 0xb1, 0x0b), ops);
  assertEquals(r, { done: 2, ack: 0x11, values: [0x0bb11477] });
  assertThrows(() => decodeTransfer(Uint8Array.of(6, 0, 1), ops));
});

Deno.test("packTransfers respects both request and response size", () => {
  const writes = Array.from({ length: 30 }, () => ({ req: 0x0d, value: 1 }));
  assertEquals(packTransfers(writes, 64).map((g) => g.length), [12, 12, 6]);
  const reads = Array.from({ length: 40 }, () => ({ req: 0x0f }));
  assertEquals(packTransfers(reads, 64).map((g) => g.length), [15, 15, 10]);
  for (const g of packTransfers([...writes, ...reads], 64)) {
    assertEquals(encodeTransfer(g).length <= 64, true);
  }
});

Deno.test("DAP_TransferBlock encode/decode and capacity", () => {
  assertEquals(blockCapacity(64, false), 14);
  assertEquals(blockCapacity(64, true), 15);
  assertEquals([...encodeBlockWrite(0x0d, [0x11223344])], [
    6,
    0,
    1,
    0,
    0x0d,
    0x44,
    0x33,
    0x22,
    0x11,
  ]);
  assertEquals([...encodeBlockRead(0x0d, 300)], [6, 0, 44, 1, 0x0f]);
  assertEquals(decodeBlock(Uint8Array.of(6, 1, 0, 1, 1, 0, 0, 0)), {
    done: 1,
    ack: 1,
    values: [1],
  });
});

Deno.test("SWJ sequences and configuration bytes", () => {
  const seq = jtagToSwdSequence();
  assertEquals([...seq[1]], [0x12, 16, 0x9e, 0xe7]);
  assertEquals(seq[0][1], 56);
  assertEquals([...encodeSwjSequence(256, [])].slice(0, 2), [0x12, 0]);
  assertEquals([...encodeTransferConfigure(0, 100, 4096)], [4, 0, 100, 0, 0, 16]);
});

Deno.test("board id from the DAPLink unique id", () => {
  const id = new TextEncoder().encode("9904360250F1");
  assertEquals(boardIdFromUniqueId(Uint8Array.of(0x80, id.length, ...id)), "9904");
  assertEquals(boardIdFromUniqueId(Uint8Array.of(0x80, 0)), undefined);
});

Deno.test("blockCapacity: at least one word, so a loop over blocks always progresses", () => {
  assertEquals([blockCapacity(64, false), blockCapacity(64, true)], [14, 15]);
  assertEquals([blockCapacity(8, false), blockCapacity(8, true)], [1, 1]);
});
