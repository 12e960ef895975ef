import assert from "node:assert/strict";
import { ImageFormatError } from "../../../kernel/mod.ts";
import { decodeTable } from "./table.ts";
import { espPartitionCsv } from "./format.ts";

const csv = new TextEncoder().encode(
  "nvs,data,nvs,,24K\nphy_init,data,phy,,4K\nfactory,app,factory,,1M\n",
);

Deno.test("partition CSV format loads as the binary table at 0x8000 or the given address", () => {
  const image = espPartitionCsv.load(csv, { source: "p.csv", options: {} });
  assert.equal(image.start, 0x8000);
  assert.equal(image.byteCount, 0xc00);
  const parts = decodeTable(image.segments[0].data).partitions;
  assert.deepEqual(parts.map((p) => p.offset), [0x9000, 0xf000, 0x10000]);
  const moved = espPartitionCsv.load(csv, { source: "p.csv", address: 0x9000, options: {} });
  assert.equal(moved.start, 0x9000);
  assert.equal(decodeTable(moved.segments[0].data).partitions[0].offset, 0xa000);
});

Deno.test("partition CSV format errors carry the line number", () => {
  const bad = new TextEncoder().encode("# t\nnvs,data,nvs,,24K\nfactory,app,factory,0x18000,1M\n");
  assert.throws(
    () => espPartitionCsv.load(bad, { source: "p.csv", options: {} }),
    (e: unknown) => e instanceof ImageFormatError && e.line === 3,
  );
});
