import { deepEqual, equal, throws } from "node:assert/strict";
import { ImageFormatError } from "../../kernel/mod.ts";
import { firmware, needsFirmware } from "../../tests/support/firmware.ts";
import { elf, parseElf32 } from "./elf.ts";

/** A minimal little-endian ELF32 with the given PT_LOAD segments. */
function makeElf(loads: { paddr: number; vaddr: number; data: number[]; memsz?: number }[]) {
  const phoff = 52, phentsize = 32;
  let dataOff = phoff + phentsize * loads.length;
  const size = dataOff + loads.reduce((n, l) => n + l.data.length, 0);
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, 40, true); // EM_ARM
  v.setUint32(24, 0x101, true);
  v.setUint32(28, phoff, true);
  v.setUint16(42, phentsize, true);
  v.setUint16(44, loads.length, true);
  loads.forEach((l, i) => {
    const o = phoff + i * phentsize;
    v.setUint32(o, 1, true);
    v.setUint32(o + 4, dataOff, true);
    v.setUint32(o + 8, l.vaddr, true);
    v.setUint32(o + 12, l.paddr, true);
    v.setUint32(o + 16, l.data.length, true);
    v.setUint32(o + 20, l.memsz ?? l.data.length, true);
    b.set(l.data, dataOff);
    dataOff += l.data.length;
  });
  return b;
}

Deno.test("elf: PT_LOAD segments land at physical addresses; bss is not flashed", () => {
  const bytes = makeElf([
    { paddr: 0x0, vaddr: 0x0, data: [1, 2, 3, 4] },
    { paddr: 0x100, vaddr: 0x20000000, data: [9, 9], memsz: 64 }, // .data: load address in flash
    { paddr: 0x20000100, vaddr: 0x20000100, data: [], memsz: 256 }, // .bss
  ]);
  const e = parseElf32(bytes, "t.elf");
  equal(e.machine, 40);
  equal(e.entry, 0x101);
  const img = elf.load(bytes, { source: "t.elf", options: {} });
  deepEqual(img.ranges(), [{ start: 0, end: 4 }, { start: 0x100, end: 0x102 }]);
});

Deno.test("elf: malformed files give ImageFormatError", () => {
  throws(() => parseElf32(new Uint8Array(10), "x"), ImageFormatError);
  const b = makeElf([{ paddr: 0, vaddr: 0, data: [1] }]);
  b[4] = 2;
  throws(() => parseElf32(b, "x"), /32-bit/);
  const c = makeElf([{ paddr: 0, vaddr: 0, data: [1, 2, 3] }]);
  throws(() => parseElf32(c.subarray(0, c.length - 2), "x"), /past the end/);
});

Deno.test("elf: the ESP-IDF ELFs in the corpus parse", needsFirmware, async () => {
  const e = parseElf32(
    await Deno.readFile(firmware("esp32/esptool-test-images/esp32-app-template.elf")),
    "app",
  );
  equal(e.machine, 94); // EM_XTENSA
  equal(e.loads.length > 0, true);
});
