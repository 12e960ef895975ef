import assert from "node:assert/strict";
import { ImageFormatError } from "../../../kernel/mod.ts";
import { encodeTable, parseCsv, partitionTable, PartitionTableError } from "./mod.ts";

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

Deno.test("binary → CSV: entries CSV would alter are refused; clean tables stay byte-identical", () => {
  const base = [
    { name: "nvs", type: 1, subtype: 2, offset: 0x9000, size: 0x6000, flags: 0 },
    { name: "factory", type: 0, subtype: 0, offset: 0x10000, size: 0x100000, flags: 2 },
  ];
  const clean = encodeTable(base);
  const csv = partitionTable({ input: clean, to: "csv" }).output as string;
  assert.deepEqual(partitionTable({ input: new TextEncoder().encode(csv) }).output, clean);

  const variants: [string, (b: Uint8Array) => void][] = [
    ["unknown flag bit", (b) => (b[32 + 28] |= 0x4)],
    ["trailing space", (b) => b.set(new TextEncoder().encode("factory "), 32 + 12)],
    ["leading space", (b) => b.set(new TextEncoder().encode(" nvs"), 12)],
    ["escape sequence", (b) => b.set(new TextEncoder().encode("nv\x1b[2J"), 12)],
    ["comma", (b) => b.set(new TextEncoder().encode("n,s"), 12)],
    ["bytes after the terminator", (b) => b.set([0x6e, 0x76, 0x73, 0, 0x41], 12)],
    ["invalid UTF-8", (b) => b.set([0x6e, 0xff, 0xfe], 12)],
  ];
  for (const [what, edit] of variants) {
    const bytes = encodeTable(base, { md5: false }).slice();
    edit(bytes);
    assert.throws(
      () => partitionTable({ input: bytes, to: "csv" }),
      (e: unknown) => e instanceof ImageFormatError && /CSV/.test(e.message),
      what,
    );
  }
});
