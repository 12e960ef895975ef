/**
 * ELF32 section headers: the program sections esptool and espflash turn into image segments.
 * (plugins/formats/elf.ts reads program headers only; images are built from sections.)
 *
 * @module
 */
import { ImageFormatError } from "../../../kernel/mod.ts";

/** One section with file contents and an address. */
export interface ElfSection {
  /** Section name, e.g. `.flash.text`. */
  readonly name: string;
  /** sh_type (1 PROGBITS, 8 NOBITS, 14 INIT_ARRAY, 15 FINI_ARRAY). */
  readonly type: number;
  /** sh_flags. */
  readonly flags: number;
  /** sh_addr (run address). */
  readonly address: number;
  /** File bytes (empty for NOBITS). */
  readonly data: Uint8Array;
}

const SHT_PROGBITS = 1, SHT_STRTAB = 3, SHT_NOBITS = 8, SHT_INIT_ARRAY = 14, SHT_FINI_ARRAY = 15;

/** Section types whose bytes go into an image (esptool `PROG_SEC_TYPES`). */
export const PROGRAM_SECTION_TYPES: readonly number[] = [
  SHT_PROGBITS,
  SHT_INIT_ARRAY,
  SHT_FINI_ARRAY,
];

/** Reads every section header of a little-endian ELF32 file. */
export function readElfSections(bytes: Uint8Array, source: string): ElfSection[] {
  const fail = (m: string): never => {
    throw new ImageFormatError(source, m);
  };
  if (bytes.length < 52 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c) {
    fail("not an ELF file");
  }
  if (bytes[4] !== 1 || bytes[5] !== 1) fail("only little-endian ELF32 is supported");
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shoff = v.getUint32(32, true);
  const shentsize = v.getUint16(46, true);
  const shnum = v.getUint16(48, true);
  const shstrndx = v.getUint16(50, true);
  if (shnum === 0) fail("the ELF file has no section headers");
  if (shentsize < 40) fail(`section header entries are ${shentsize} bytes (expected 40)`);
  if (shoff + shnum * shentsize > bytes.length) fail("section headers run past the end");
  if (shstrndx >= shnum) fail("no section name table");
  const raw = Array.from({ length: shnum }, (_, i) => {
    const o = shoff + i * shentsize;
    const [nameOff, type, flags, address, offset, size] = [0, 4, 8, 12, 16, 20].map((k) =>
      v.getUint32(o + k, true)
    );
    return { nameOff, type, flags, address, offset, size };
  });
  const strtab = raw[shstrndx];
  if (strtab.type !== SHT_STRTAB) fail("section name table is not a string table");
  const names = bytes.subarray(strtab.offset, strtab.offset + strtab.size);
  const dec = new TextDecoder();
  const nameAt = (off: number) => {
    const end = names.indexOf(0, off);
    return dec.decode(names.subarray(off, end < 0 ? names.length : end));
  };
  return raw.map((s) => {
    const hasBytes = s.type !== SHT_NOBITS;
    if (hasBytes && s.offset + s.size > bytes.length && s.size > 0) {
      fail(`section ${nameAt(s.nameOff)} runs past the end of the file`);
    }
    return {
      name: nameAt(s.nameOff),
      type: s.type,
      flags: s.flags,
      address: s.address,
      data: hasBytes ? bytes.subarray(s.offset, s.offset + s.size) : new Uint8Array(0),
    };
  });
}

/** Program sections with an address and bytes, in file order (what esptool images). */
export function loadableSections(sections: readonly ElfSection[]): ElfSection[] {
  return sections.filter((s) =>
    PROGRAM_SECTION_TYPES.includes(s.type) && s.address !== 0 && s.data.length > 0
  );
}
