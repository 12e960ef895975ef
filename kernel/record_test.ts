import { deepEqual, equal, ok } from "node:assert/strict";
import { createHash } from "node:crypto";
import { FlashImage } from "./image.ts";
import { touchedBlocks } from "./compare.ts";
import type { HashAlgorithm } from "./hash.ts";
import { isFlashRecord, MemoryRecordStore, predictFromRecord, recordAfter } from "./record.ts";

const md5: HashAlgorithm = {
  name: "md5",
  digestLength: 16,
  digest: (b) => new Uint8Array(createHash("md5").update(b).digest()),
};
const layout = {
  regions: [{ name: "flash", start: 0, size: 0x10000, blockSize: 0x1000, erasedValue: 0xff }],
};
const erased = () => 0xff;

function image(fill: number, extra?: { at: number; byte: number }): FlashImage {
  const data = new Uint8Array(0x3000).fill(fill);
  if (extra) data[extra.at] = extra.byte;
  return FlashImage.from([{ address: 0x1000, data, source: "test" }]);
}

Deno.test("a record predicts unchanged and changed blocks of the next image", () => {
  const old = image(1), next = image(1, { at: 0x1800, byte: 9 });
  const rec = recordAfter(undefined, old, touchedBlocks(old, layout), md5, erased, true);
  const p = predictFromRecord(rec, next, touchedBlocks(next, layout), md5, erased, true)!;
  deepEqual([...p.entries()], [[0x1000, true], [0x2000, false], [0x3000, true]]);
});

Deno.test("a record in another algorithm, or none, predicts nothing", () => {
  const old = image(1);
  const rec = recordAfter(undefined, old, touchedBlocks(old, layout), md5, erased, true);
  const other = { ...md5, name: "sha256" };
  equal(predictFromRecord(rec, old, touchedBlocks(old, layout), other, erased, true), undefined);
  equal(
    predictFromRecord(undefined, old, touchedBlocks(old, layout), md5, erased, true),
    undefined,
  );
});

Deno.test("partly covered blocks are only recorded and predicted when they are filled", () => {
  const part = FlashImage.from([{ address: 0x1000, data: new Uint8Array(10), source: "t" }]);
  const blocks = touchedBlocks(part, layout);
  const kept = recordAfter(undefined, part, blocks, md5, erased, false);
  deepEqual(kept.blocks, {});
  const filled = recordAfter(undefined, part, blocks, md5, erased, true);
  deepEqual(Object.keys(filled.blocks), ["1000:4096"]);
  equal(predictFromRecord(filled, part, blocks, md5, erased, false)?.size, 0);
});

Deno.test("a new record keeps blocks elsewhere and forgets overlapped ones", () => {
  const before = { algorithm: "md5", blocks: { "8000:4096": "aa", "1000:8192": "bb" } };
  const next = image(2);
  const rec = recordAfter(before, next, touchedBlocks(next, layout), md5, erased, true);
  ok(rec.blocks["8000:4096"] === "aa");
  equal(rec.blocks["1000:8192"], undefined);
  deepEqual(Object.keys(rec.blocks).sort(), ["1000:4096", "2000:4096", "3000:4096", "8000:4096"]);
});

Deno.test("records read back from files are checked for shape", async () => {
  ok(isFlashRecord({ algorithm: "md5", blocks: { "1000:4096": "00ff" } }));
  ok(!isFlashRecord({ algorithm: "md5", blocks: { "x:1": "00" } }));
  ok(!isFlashRecord({ algorithm: "md5", blocks: [] }));
  ok(!isFlashRecord("md5"));
  const store = new MemoryRecordStore();
  equal(await store.load("a"), undefined);
  await store.save("a", { algorithm: "md5", blocks: {} });
  deepEqual(await store.load("a"), { algorithm: "md5", blocks: {} });
});
