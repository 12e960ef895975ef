import assert from "node:assert/strict";
import { ImageFormatError } from "../../../kernel/mod.ts";
import { readFirmware, skipNoFirmware } from "../image/testdata.ts";
import {
  appPartition,
  decodeTable,
  defaultPartitionTable,
  encodeTable,
  formatCsv,
  parseCsv,
  parseSize,
  partitionTable,
  PartitionTableError,
  readPartitionTable,
} from "./mod.ts";

const C3_TABLE = "esp32c3-beehive-idf/partition-table_1b254f1.bin";
const ESPTOOL_TABLE = "esptool-test-images/partitions_singleapp.bin";

Deno.test("C3 partition table: binary → CSV → binary is byte-identical (MD5, 0xFF to 0xC00)", () => {
  if (skipNoFirmware()) return;
  const bin = readFirmware(C3_TABLE);
  const decoded = decodeTable(bin, C3_TABLE);
  assert.equal(decoded.md5, true);
  assert.equal(decoded.length, 0xc00);
  assert.deepEqual(decoded.partitions.map((p) => p.name), [
    "nvs",
    "otadata",
    "phy_init",
    "ota_0",
    "ota_1",
    "wifi_spiffs",
  ]);
  const csv = formatCsv(decoded.partitions);
  assert.match(csv, /^ota_0,app,ota_0,0x20000,1920K,$/m);
  assert.deepEqual(encodeTable(parseCsv(csv)), bin);
  assert.deepEqual(encodeTable(decoded.partitions), bin);
});

Deno.test("esptool's truncated table (3 entries, no MD5) round-trips in both directions", () => {
  if (skipNoFirmware()) return;
  const bin = readFirmware(ESPTOOL_TABLE);
  const t = decodeTable(bin);
  assert.equal(t.md5, false);
  assert.equal(t.length, 96);
  assert.deepEqual(encodeTable(t.partitions, { md5: false, length: t.length }), bin);
  const csv = formatCsv(t.partitions);
  assert.equal(
    csv.split("\n").slice(2).join("\n"),
    "factory,app,factory,0x10000,1M,\nrfdata,data,phy,0x110000,256K,\nwifidata,data,nvs,0x150000,256K,\n",
  );
  const again = parseCsv(csv);
  assert.deepEqual(encodeTable(again, { md5: false, length: 96 }), bin);
  // The full form of the same table carries an MD5 that decodes and checks.
  assert.deepEqual(decodeTable(encodeTable(again)).partitions.map((p) => p.offset), [
    0x10000,
    0x110000,
    0x150000,
  ]);
});

Deno.test("default single-app table matches ESP-IDF's partitions_singleapp.csv", () => {
  const csv = `# Name,   Type, SubType, Offset,  Size, Flags
nvs,      data, nvs,     0x9000,  0x6000,
phy_init, data, phy,     0xf000,  0x1000,
factory,  app,  factory, 0x10000, 1M,
`;
  const parts = parseCsv(csv).map(({ line: _line, ...p }) => p);
  assert.deepEqual(parts, defaultPartitionTable());
  assert.equal(appPartition(defaultPartitionTable())!.offset, 0x10000);
});

Deno.test("empty offsets are placed like gen_esp32part (after the table, type-aligned)", () => {
  const parts = parseCsv(`nvs,data,nvs,,0x4000
otadata,data,ota,,0x2000
phy_init,data,phy,,0x1000
factory,app,factory,,1M
ota_0,app,ota_0,,1M
storage,data,spiffs,,-0x400000
`);
  assert.deepEqual(parts.map((p) => [p.name, p.offset, p.size]), [
    ["nvs", 0x9000, 0x4000],
    ["otadata", 0xd000, 0x2000],
    ["phy_init", 0xf000, 0x1000],
    ["factory", 0x10000, 0x100000],
    ["ota_0", 0x110000, 0x100000],
    ["storage", 0x210000, 0x400000 - 0x210000],
  ]);
});

Deno.test("sizes: 1M, 4K, 0x1000, decimal", () => {
  assert.equal(parseSize("1M"), 0x100000);
  assert.equal(parseSize("4K"), 0x1000);
  assert.equal(parseSize("4k"), 0x1000);
  assert.equal(parseSize("0x1000"), 0x1000);
  assert.equal(parseSize("4096"), 4096);
  assert.equal(parseSize("1MB"), undefined);
  assert.equal(parseSize("ten"), undefined);
});

/** Asserts parseCsv fails on `line` with a message matching `re`. */
function failsAt(csv: string, line: number, re: RegExp) {
  assert.throws(() => parseCsv(csv, { source: "p.csv" }), (e: unknown) => {
    assert.ok(e instanceof PartitionTableError && e instanceof ImageFormatError, String(e));
    assert.equal(e.line, line, e.message);
    assert.match(e.message, new RegExp(`^p\\.csv:${line}: `));
    assert.match(e.message, re);
    return true;
  });
}

const HEAD = "# Name, Type, SubType, Offset, Size, Flags\nnvs,data,nvs,0x9000,0x6000\n";

Deno.test("each validation error names its CSV line", () => {
  failsAt(HEAD + "big,data,spiffs,0xa000,0x2000\n", 3, /overlaps the previous partition/);
  failsAt(HEAD + "factory,app,factory,0x18000,1M\n", 3, /not aligned to 0x10000/);
  failsAt(HEAD + "blob,data,spiffs,0xf800,0x800\n", 3, /not aligned to 0x1000/);
  failsAt(HEAD + "x,code,factory,0x10000,1M\n", 3, /unknown partition type 'code'/);
  failsAt(HEAD + "x,app,ota_99,0x10000,1M\n", 3, /unknown subtype 'ota_99' for type app/);
  failsAt(
    HEAD + "nvs,data,phy,0xf000,0x1000\n",
    3,
    /duplicate partition name 'nvs' \(first on line 2\)/,
  );
  failsAt(HEAD + "x,app,factory,0x10000,lots\n", 3, /bad size 'lots'/);
  failsAt(HEAD + "x,app,factory\n", 3, /at least 5 fields/);
  failsAt(HEAD + "x,app,factory,0x10000,1M,shiny\n", 3, /unknown flag 'shiny'/);
  failsAt(HEAD + "otadata,data,ota,0xf000,0x1000\n", 3, /exactly 0x2000/);
  failsAt("# c\n\nnvs,data,nvs,0x8000,0x6000\n", 3, /inside the partition table's sector/);
  failsAt(HEAD + "a_name_longer_than_16,data,nvs,0xf000,0x1000\n", 3, /longer than 16 bytes/);
  // Overlap found after sorting (explicit offsets in order but one runs into the next).
  failsAt(
    "a,data,nvs,0x9000,0x1000\nb,app,factory,0x20000,1M\nc,data,nvs,0xa000,0x1000\n",
    3,
    /overlaps the previous partition/,
  );
});

Deno.test("flash size bound and binary table validation", () => {
  assert.throws(
    () => parseCsv("factory,app,factory,0x10000,4M\n", { flashSize: 0x400000, source: "p.csv" }),
    /p\.csv:1: 'factory' ends at 0x410000, past the flash size 0x400000/,
  );
  const bin = encodeTable([
    { name: "a", type: 1, subtype: 2, offset: 0x9000, size: 0x2000, flags: 0 },
    { name: "b", type: 1, subtype: 2, offset: 0xa000, size: 0x1000, flags: 0 },
  ]);
  assert.throws(
    () => readPartitionTable(bin, { source: "t.bin" }),
    /t\.bin: 'b' at 0xa000 overlaps 'a'/,
  );
  const corrupt = encodeTable(defaultPartitionTable());
  corrupt[40] ^= 1;
  assert.throws(() => decodeTable(corrupt), /MD5 of the partition table does not match/);
});

Deno.test("partitionTable converts CSV ⇄ binary and renders a table", () => {
  const csv = new TextEncoder().encode(formatCsv(defaultPartitionTable()));
  const toBin = partitionTable({ input: csv });
  assert.ok(toBin.output instanceof Uint8Array);
  assert.equal(toBin.output.length, 0xc00);
  const toCsv = partitionTable({ input: toBin.output });
  assert.equal(typeof toCsv.output, "string");
  assert.equal(toCsv.output, formatCsv(defaultPartitionTable()));
  assert.match(toCsv.text, /^factory\s+app\s+factory\s+0x10000\s+1M \(0x100000\)$/m);
});
