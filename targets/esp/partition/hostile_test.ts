import assert from "node:assert/strict";
import { ImageFormatError } from "../../../kernel/mod.ts";
import { encodeTable, parseCsv, PartitionTableError } from "./mod.ts";

const lineOf = (line: number) => (e: unknown) =>
  e instanceof PartitionTableError && e.line === line;

Deno.test("partition CSV: offsets and sizes of 2^32 and more are refused, not truncated", () => {
  const head = "nvs,data,nvs,0x9000,24K\n";
  for (
    const row of [
      "big,data,spiffs,0x100010000,4K", // offset ≥ 2^32 (was flashed as 0x10000)
      "big,data,spiffs,4294971392,4K", // the same in decimal
      "big,data,spiffs,0x10000,4194304K", // size 2^32
      "big,data,spiffs,0x10000,0x100001000", // size > 2^32
      "big,data,spiffs,0xfffff000,8K", // ends beyond 4 GiB
      "big,data,spiffs,0x10000,-0x100010000", // negative size = end address ≥ 2^32
    ]
  ) {
    assert.throws(() => parseCsv(head + row + "\n", { noValidate: true }), lineOf(2), row);
    assert.throws(() => parseCsv(head + row + "\n"), lineOf(2), row);
  }
});

Deno.test("partition CSV: prototype keys are not type, subtype or flag names", () => {
  for (const key of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"]) {
    assert.throws(() => parseCsv(`x,${key},nvs,0x9000,24K\n`), lineOf(1), `type ${key}`);
    assert.throws(() => parseCsv(`x,data,${key},0x9000,24K\n`), lineOf(1), `subtype ${key}`);
    assert.throws(() => parseCsv(`x,data,nvs,0x9000,24K,${key}\n`), lineOf(1), `flag ${key}`);
  }
});

Deno.test("partition CSV: numeric type and subtype beyond a byte are refused", () => {
  assert.throws(() => parseCsv("x,0x140,0,0x9000,4K\n", { noValidate: true }), lineOf(1));
  assert.throws(() => parseCsv("x,0x40,0x100,0x9000,4K\n", { noValidate: true }), lineOf(1));
});

Deno.test("partition binary encoder refuses fields that would wrap", () => {
  const ok = { name: "x", type: 1, subtype: 2, offset: 0x9000, size: 0x6000, flags: 0 };
  assert.equal(encodeTable([ok]).length, 0xc00);
  for (
    const bad of [
      { offset: 0x1_0000_9000 },
      { size: 0x1_0000_0000 },
      { size: -1 },
      { flags: 0x1_0000_0000 },
      { type: 0x100 },
      { subtype: -1 },
      { offset: 0.5 },
      { name: "seventeen-bytes-x" },
    ]
  ) {
    assert.throws(
      () => encodeTable([{ ...ok, ...bad }]),
      (e: unknown) => e instanceof ImageFormatError,
      JSON.stringify(bad),
    );
  }
});
