import assert from "node:assert/strict";
import {
  ConfigError,
  ImageFormatError,
  parseImageSpec,
  printable,
  printableLines,
  UsageError,
} from "../kernel/mod.ts";
import { runCli } from "./support/run_cli.ts";
import { loadConfig, validateConfig } from "../cli/config.ts";
import { ihex, parseIntelHex } from "../plugins/formats/ihex.ts";
import { parseElf32 } from "../plugins/formats/elf.ts";

Deno.test("load addresses beyond 32 bits are refused on the command line and in config", () => {
  assert.throws(() => parseImageSpec("app.bin@0x100010000"), UsageError);
  assert.throws(() => parseImageSpec("app.bin@4294967296"), UsageError);
  assert.equal(parseImageSpec("app.bin@0xffffffff").address, 0xffffffff);
  assert.throws(
    () => validateConfig({ images: [{ file: "a.bin", address: "0x100000000" }] }, "c.json", "/"),
    ConfigError,
  );
  assert.throws(
    () => validateConfig({ images: [{ file: "a.bin", address: 2 ** 32 }] }, "c.json", "/"),
    ConfigError,
  );
});

Deno.test("a deeply nested config is a ConfigError, not a stack overflow", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    await Deno.writeTextFile(`${dir}/deltaflash.json`, `{"options": {"x": ${deep}}}`);
    await assert.rejects(loadConfig(dir), ConfigError);
    // Brackets inside strings and comments do not count.
    await Deno.writeTextFile(
      `${dir}/deltaflash.json`,
      `{"target": "${"[".repeat(200)}" /* ${"{".repeat(200)} */}`,
    );
    assert.equal((await loadConfig(dir)).target, "[".repeat(200));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Intel HEX record with checksum. */
function record(type: number, offset: number, data: number[]): string {
  const bytes = [data.length, offset >> 8, offset & 0xff, type, ...data];
  const sum = (0x100 - (bytes.reduce((a, b) => a + b, 0) & 0xff)) & 0xff;
  return ":" + [...bytes, sum].map((b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
}

Deno.test("a Universal Hex mixing plain and block sections is an ImageFormatError", () => {
  const eof = ":00000001FF";
  const block = (id: number) => [record(0x0a, 0, [id >> 8, id & 0xff, 0xc0, 0xde])];
  const plainThenBlock = [
    record(0x00, 0, [1, 2, 3, 4]),
    ...block(0x9903),
    record(0x0d, 0x10, [5, 6, 7, 8]),
    record(0x0b, 0, []),
    eof,
  ];
  const blockThenPlain = [
    ...block(0x9903),
    record(0x0d, 0x10, [5, 6, 7, 8]),
    record(0x0b, 0, []),
    record(0x00, 0x20, [1, 2, 3, 4]),
    eof,
  ];
  for (const lines of [plainThenBlock, blockThenPlain]) {
    assert.throws(
      () =>
        ihex.load(new TextEncoder().encode(lines.join("\n")), {
          source: "mixed.hex",
          options: { board: "v2" },
        }),
      ImageFormatError,
    );
    assert.throws(() => parseIntelHex(lines.join("\n"), "mixed.hex"), ImageFormatError);
  }
  // The same blocks without the stray plain record load.
  const clean = [...block(0x9903), record(0x0d, 0x10, [5, 6, 7, 8]), record(0x0b, 0, []), eof];
  const image = ihex.load(new TextEncoder().encode(clean.join("\n")), {
    source: "ok.hex",
    options: { board: "v2" },
  });
  assert.equal(image.byteCount, 4);
});

Deno.test("control characters in partition names never reach the terminal raw", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const evil = "ota\x1b]0;pwned\x07";
    const csv = `${dir}/p.csv`;
    await Deno.writeTextFile(csv, `nvs,data,nvs,0x9000,24K\n${evil},app,factory,0x10000,1M\n`);
    const shown = await runCli(["partition-table", csv]);
    assert.equal(shown.code, 0, shown.stderr);
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(shown.stdout, /[\x1b\x07]/);
    assert.match(shown.stdout, /ota\\x1b\]0;pwned\\x07/);
    // The same name in an error message (a duplicate) is escaped too.
    await Deno.writeTextFile(csv, `${evil},data,nvs,0x9000,24K\n${evil},app,factory,0x10000,1M\n`);
    const failed = await runCli(["partition-table", csv]);
    assert.equal(failed.code, 1);
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(failed.stderr, /[\x1b\x07]/);
    assert.match(failed.stderr, /duplicate partition name 'ota\\x1b/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("printable escapes controls and bidi overrides, keeps ordinary text", () => {
  assert.equal(printable("app\x1b[2J\u202e\n"), "app\\x1b[2J\\u202e\\x0a");
  assert.equal(printable("héllo wörld ✓"), "héllo wörld ✓");
  assert.equal(printableLines("a\nb\x1b"), "a\nb\\x1b");
});

Deno.test("Intel HEX and ELF data past the 32-bit address space is refused, not wrapped", () => {
  const hex = [
    record(0x04, 0, [0xff, 0xff]),
    record(0x00, 0xfffc, [1, 2, 3, 4, 5, 6]),
    ":00000001FF",
  ]
    .join("\n");
  assert.throws(() => parseIntelHex(hex, "wrap.hex"), ImageFormatError);
  // ELF32 with one PT_LOAD of 8 bytes at physical 0xfffffffc.
  const elf = new Uint8Array(0x100);
  const v = new DataView(elf.buffer);
  elf.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1], 0);
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, 40, true); // EM_ARM
  v.setUint32(20, 1, true);
  v.setUint32(28, 52, true); // e_phoff
  v.setUint16(40, 52, true); // e_ehsize
  v.setUint16(42, 32, true); // e_phentsize
  v.setUint16(44, 1, true); // e_phnum
  v.setUint32(52, 1, true); // PT_LOAD
  v.setUint32(56, 0x80, true); // p_offset
  v.setUint32(60, 0xfffffffc, true); // p_vaddr
  v.setUint32(64, 0xfffffffc, true); // p_paddr
  v.setUint32(68, 8, true); // p_filesz
  v.setUint32(72, 8, true); // p_memsz
  assert.throws(() => parseElf32(elf, "wrap.elf"), ImageFormatError);
});
