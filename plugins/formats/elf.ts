/**
 * ELF32 executables: PT_LOAD segments placed at their physical addresses.
 *
 * @module
 */
import { FlashImage, type ImageFormat, ImageFormatError, type Segment } from "../../kernel/mod.ts";

/** One loadable program header. */
export interface ElfLoadSegment {
  /** Physical (load) address. */
  readonly paddr: number;
  /** Virtual (run) address. */
  readonly vaddr: number;
  /** Bytes from the file. */
  readonly data: Uint8Array;
  /** Size in memory (≥ file size; the rest is zero-filled bss). */
  readonly memsz: number;
  /** p_flags (1 = X, 2 = W, 4 = R). */
  readonly flags: number;
}

/** A parsed ELF32 file. */
export interface Elf32 {
  /** e_machine. */
  readonly machine: number;
  /** e_entry. */
  readonly entry: number;
  /** PT_LOAD segments in file order. */
  readonly loads: readonly ElfLoadSegment[];
}

/** Parses the ELF32 header and program headers. */
export function parseElf32(bytes: Uint8Array, source: string): Elf32 {
  const fail = (m: string): never => {
    throw new ImageFormatError(source, m);
  };
  if (bytes.length < 52) fail("too short for an ELF header");
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    fail("not an ELF file");
  }
  if (bytes[4] !== 1) fail("only 32-bit ELF (ELFCLASS32) is supported");
  const le = bytes[5] === 1;
  if (!le && bytes[5] !== 2) fail("bad ELF data encoding");
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number) => v.getUint16(o, le);
  const u32 = (o: number) => v.getUint32(o, le);
  const machine = u16(18);
  const entry = u32(24);
  const phoff = u32(28);
  const phentsize = u16(42);
  const phnum = u16(44);
  if (phnum && phentsize < 32) fail("program header entries are too small");
  if (phoff + phnum * phentsize > bytes.length) {
    fail("program headers run past the end of the file");
  }
  const loads: ElfLoadSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (u32(o) !== 1) continue; // PT_LOAD
    const offset = u32(o + 4), vaddr = u32(o + 8), paddr = u32(o + 12);
    const filesz = u32(o + 16), memsz = u32(o + 20), flags = u32(o + 24);
    if (offset + filesz > bytes.length) fail(`segment ${i} runs past the end of the file`);
    if (paddr + filesz > 0x1_0000_0000) fail(`segment ${i} runs past the 32-bit address space`);
    loads.push({ paddr, vaddr, memsz, flags, data: bytes.subarray(offset, offset + filesz) });
  }
  return { machine, entry, loads };
}

/** ELF32: file bytes of each PT_LOAD at its physical address. */
export const elf: ImageFormat = {
  name: "elf",
  description: "ELF32 executable (PT_LOAD segments at their physical addresses)",
  extensions: [".elf", ".axf", ".out"],
  detect: (h) => h[0] === 0x7f && h[1] === 0x45 && h[2] === 0x4c && h[3] === 0x46,
  load(bytes, { source }) {
    const segs: Segment[] = parseElf32(bytes, source).loads
      .filter((l) => l.data.length > 0)
      .map((l) => ({ address: l.paddr, data: l.data, source }));
    return FlashImage.from(segs);
  },
};
