import assert from "node:assert/strict";
import { ImageFormatError } from "../../../kernel/mod.ts";
import { readValidAppImage, sha256 } from "./app_image.ts";
import { espImageChip, isFlashMapped } from "./chips.ts";
import { elfToImage } from "./elf2image.ts";
import { readElfSections } from "./elf_sections.ts";

/** Writes a little-endian ELF32 with the given PROGBITS sections (no program headers). */
function makeElf(
  machine: number,
  entry: number,
  sections: { name: string; addr: number; data: Uint8Array }[],
) {
  const names = ["", ...sections.map((s) => s.name), ".shstrtab"];
  const strtab = new TextEncoder().encode(names.join("\0") + "\0");
  const nameOff = names.map((_, i) => names.slice(0, i).reduce((n, s) => n + s.length + 1, 0));
  let off = 52;
  const placed = sections.map((s) => {
    const at = off;
    off += s.data.length;
    return at;
  });
  const strOff = off;
  off += strtab.length;
  off = (off + 3) & ~3;
  const shoff = off, shnum = names.length;
  const out = new Uint8Array(shoff + shnum * 40);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, machine, true);
  v.setUint32(20, 1, true);
  v.setUint32(24, entry, true);
  v.setUint32(32, shoff, true);
  v.setUint16(40, 52, true);
  v.setUint16(42, 32, true);
  v.setUint16(46, 40, true);
  v.setUint16(48, shnum, true);
  v.setUint16(50, shnum - 1, true);
  sections.forEach((s, i) => {
    out.set(s.data, placed[i]);
    const h = shoff + (i + 1) * 40;
    v.setUint32(h, nameOff[i + 1], true);
    v.setUint32(h + 4, 1, true); // PROGBITS
    v.setUint32(h + 8, 0x2, true); // ALLOC
    v.setUint32(h + 12, s.addr, true);
    v.setUint32(h + 16, placed[i], true);
    v.setUint32(h + 20, s.data.length, true);
  });
  out.set(strtab, strOff);
  const h = shoff + (shnum - 1) * 40;
  v.setUint32(h, nameOff[shnum - 1], true);
  v.setUint32(h + 4, 3, true); // STRTAB
  v.setUint32(h + 16, strOff, true);
  v.setUint32(h + 20, strtab.length, true);
  return out;
}

/** An `esp_app_desc_t` with an empty ELF hash and the given log2 MMU page size. */
function appDesc(mmuLog2: number, shaFill = 0): Uint8Array {
  const d = new Uint8Array(256);
  new DataView(d.buffer).setUint32(0, 0xabcd5432, true);
  d.set(new TextEncoder().encode("1.0"), 16);
  d.set(new TextEncoder().encode("synthetic"), 48);
  d.fill(shaFill, 0x90, 0xb0);
  d[0xb4] = mmuLog2;
  return d;
}

const fill = (n: number, b: number) => new Uint8Array(n).fill(b);

function c6Elf(mmuLog2: number, shaFill = 0) {
  return makeElf(0xf3, 0x40800000, [
    { name: ".flash.appdesc", addr: 0x42800020, data: appDesc(mmuLog2, shaFill) },
    { name: ".flash.rodata", addr: 0x42800120, data: fill(0x100, 0x11) },
    { name: ".iram0.text", addr: 0x40800000, data: fill(0x9000, 0x22) },
    { name: ".flash.text", addr: 0x42008020, data: fill(0x200, 0x33) },
    { name: ".dram0.data", addr: 0x40810000, data: fill(0x102, 0x44) },
  ]);
}

Deno.test("synthetic ELF reads back its sections", () => {
  const secs = readElfSections(c6Elf(15), "t.elf");
  assert.deepEqual(secs.map((s) => s.name).slice(1, 4), [
    ".flash.appdesc",
    ".flash.rodata",
    ".iram0.text",
  ]);
});

Deno.test("ELF SHA-256 lands in esp_app_desc_t at image offset 0xB0", () => {
  const elf = c6Elf(15);
  const bytes = elfToImage(elf, { chip: "esp32c6" });
  assert.deepEqual(bytes.subarray(0xb0, 0xd0), sha256(elf));
  const image = readValidAppImage(bytes);
  assert.equal(image.segments[0].address, 0x42800020); // appdesc first, merged with rodata
  assert.equal(image.segments[0].data.length, 0x200);
  assert.equal(image.ext.chipId, 13);
});

Deno.test("MMU page size comes from the app descriptor, else from its alignment", () => {
  const chip = espImageChip("esp32c6");
  const offsets = (elf: Uint8Array) =>
    readValidAppImage(elfToImage(elf, { chip })).segments.filter((s) =>
      isFlashMapped(chip, s.address)
    );
  // 2^15 = 32 KiB: .flash.text (0x42008020) sits at file offset ≡ 0x20 mod 0x8000, not 0x10000.
  for (const s of offsets(c6Elf(15))) {
    assert.equal((s.fileOffset! + 8) % 0x8000, s.address % 0x8000);
  }
  const text32 = offsets(c6Elf(15)).find((s) => s.address === 0x42008020)!;
  assert.equal((text32.fileOffset! + 8) % 0x10000, 0x8020);
  // No size in the descriptor: the largest page its address allows (64 KiB here).
  const text64 = offsets(c6Elf(0)).find((s) => s.address === 0x42008020)!;
  assert.equal((text64.fileOffset! + 8) % 0x10000, 0x8020 % 0x10000);
  assert.ok(text64.fileOffset! > text32.fileOffset!);
  // An explicit page size wins.
  const forced = readValidAppImage(elfToImage(c6Elf(15), { chip, mmuPageSize: 0x2000 }));
  assert.ok(forced.segments.length > 0);
  assert.throws(
    () => elfToImage(c6Elf(15), { chip, mmuPageSize: 0x3000 }),
    /not valid for ESP32-C6/,
  );
});

Deno.test("non-zero bytes where the ELF hash goes are refused", () => {
  assert.throws(
    () => elfToImage(c6Elf(15, 0x5a), { chip: "esp32c6" }),
    (e: unknown) => e instanceof ImageFormatError && /not zero/.test(e.message),
  );
});

Deno.test("RAM-only ELF (no flash sections) gives one segment per merged RAM area", () => {
  const elf = makeElf(0xf3, 0x403c0000, [
    { name: ".dram0.bootdesc", addr: 0x3fcd6100, data: fill(0x14, 1) },
    { name: ".dram0.rodata", addr: 0x3fcd6114, data: fill(0x30, 2) },
    { name: ".iram_loader.text", addr: 0x403c0000, data: fill(0x40, 3) },
  ]);
  const image = readValidAppImage(elfToImage(elf, { chip: "esp32c3" }));
  assert.deepEqual(image.segments.map((s) => [s.address, s.data.length]), [[0x3fcd6100, 0x44], [
    0x403c0000,
    0x40,
  ]]);
  assert.equal(image.entry, 0x403c0000);
});
