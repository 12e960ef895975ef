/**
 * ELF32 function symbols, for turning code addresses (e.g. in a panic backtrace) into names.
 *
 * @module
 */
import { ImageFormatError } from "../../kernel/mod.ts";

/** A function symbol: `[address, address + size)`. */
export interface ElfSymbol {
  /** Symbol name. */
  readonly name: string;
  /** Start address (Thumb bit cleared). */
  readonly address: number;
  /** Size in bytes (0 when unknown). */
  readonly size: number;
}

/** Reads the function symbols of `.symtab`, sorted by address. */
export function elfFunctionSymbols(bytes: Uint8Array, source = "elf"): ElfSymbol[] {
  if (bytes.length < 52 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[4] !== 1) {
    throw new ImageFormatError(source, "not a 32-bit ELF file");
  }
  const le = bytes[5] === 1;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number) => v.getUint16(o, le);
  const u32 = (o: number) => v.getUint32(o, le);
  const shoff = u32(32), shentsize = u16(46), shnum = u16(48);
  if (!shoff || shoff + shnum * shentsize > bytes.length) return [];
  const section = (i: number) => {
    const o = shoff + i * shentsize;
    return { type: u32(o + 4), offset: u32(o + 16), size: u32(o + 20), link: u32(o + 24) };
  };
  const out: ElfSymbol[] = [];
  const decoder = new TextDecoder();
  for (let i = 0; i < shnum; i++) {
    const sh = section(i);
    if (sh.type !== 2) continue; // SHT_SYMTAB
    const strtab = section(sh.link);
    for (let o = sh.offset; o + 16 <= sh.offset + sh.size && o + 16 <= bytes.length; o += 16) {
      const info = bytes[o + 12];
      if ((info & 0xf) !== 2) continue; // STT_FUNC
      const nameOff = strtab.offset + u32(o);
      let end = nameOff;
      while (end < bytes.length && bytes[end] !== 0) end++;
      out.push({
        name: decoder.decode(bytes.subarray(nameOff, end)),
        address: u32(o + 4) & ~1,
        size: u32(o + 8),
      });
    }
  }
  return out.sort((a, b) => a.address - b.address);
}

/** `name+0xoff` for an address inside a known function, else undefined. */
export function symbolize(symbols: readonly ElfSymbol[], address: number): string | undefined {
  let lo = 0, hi = symbols.length - 1, hit = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (symbols[mid].address <= address) {
      hit = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (hit < 0) return undefined;
  const s = symbols[hit];
  const off = address - s.address;
  if (s.size ? off >= s.size : off > 0x10000) return undefined;
  return off ? `${s.name}+0x${off.toString(16)}` : s.name;
}
