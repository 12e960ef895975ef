/**
 * Lays segments out into an app image the way esptool `elf2image` does (and espflash, which
 * matches it): flash-mapped segments placed so that `(file offset + 8) % page == address %
 * page`, the gaps before them filled with pieces of RAM segments (or zero padding segments),
 * remaining RAM segments after, then checksum and SHA-256.
 *
 * Facts from esptool `bin_image.py` (`ESP32FirmwareImage.save`, `merge_adjacent_segments`,
 * `save_flash_segment`, `maybe_patch_segment_data`).
 *
 * @module
 */
import { ImageFormatError } from "../../../kernel/mod.ts";
import { ESP_CHECKSUM_SEED, ESP_HEADER_LENGTH, MAX_SEGMENTS, sha256 } from "./app_image.ts";
import { type EspImageChip, isFlashMapped, memoryKinds } from "./chips.ts";

/** A named run of bytes at a load address (an ELF section or a merged group of them). */
export interface NamedSegment {
  /** Section name (the first one's, after merging). */
  readonly name: string;
  /** Load address. */
  readonly address: number;
  /** Bytes. */
  readonly data: Uint8Array;
}

/** Header values and layout choices for {@link layoutImage}. */
export interface LayoutOptions {
  /** Chip the image is for. */
  readonly chip: EspImageChip;
  /** Entry point. */
  readonly entry: number;
  /** Header byte 2. */
  readonly flashMode: number;
  /** Header byte 3. */
  readonly flashSizeFreq: number;
  /** Deprecated min revision byte (default 0). */
  readonly minRev?: number;
  /** Minimum chip revision, major × 100 + minor (default 0). */
  readonly minRevFull?: number;
  /** Maximum chip revision (default 65535, as esptool). */
  readonly maxRevFull?: number;
  /** Append a SHA-256 (default true). */
  readonly appendDigest?: boolean;
  /** MMU page size for flash-mapped alignment (default: the chip's largest). */
  readonly mmuPageSize?: number;
  /** SHA-256 of the ELF file, written at `elfSha256Offset` of the image. */
  readonly elfSha256?: Uint8Array;
  /** File offset for `elfSha256` (0xB0 in ESP-IDF apps: inside `esp_app_desc_t`). */
  readonly elfSha256Offset?: number;
  /** Source name for errors. */
  readonly source?: string;
}

const SEG_HEADER = 8;

/** Zero-pads to a multiple of 4 bytes, as every image segment is. */
export function padTo4(data: Uint8Array): Uint8Array {
  if (data.length % 4 === 0) return data;
  const out = new Uint8Array(data.length + 4 - (data.length % 4));
  out.set(data);
  return out;
}

const concat = (a: Uint8Array, b: Uint8Array) => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

const sameKinds = (chip: EspImageChip, a: number, b: number) =>
  memoryKinds(chip, a).join() === memoryKinds(chip, b).join();

/**
 * Merges each segment into the one before it (in the given order) when it starts where that
 * one ends and both start in the same memory kinds; gaps are never filled.
 */
export function mergeAdjacent(chip: EspImageChip, segs: readonly NamedSegment[]): NamedSegment[] {
  const out: NamedSegment[] = [];
  for (const s of segs) {
    const prev = out[out.length - 1];
    if (
      prev && s.address === prev.address + prev.data.length &&
      sameKinds(chip, prev.address, s.address)
    ) {
      out[out.length - 1] = { ...prev, data: concat(prev.data, s.data) };
    } else out.push(s);
  }
  return out;
}

/** Moves the first segment named `name` to the front. */
const toFront = (list: NamedSegment[], name: string) => {
  const i = list.findIndex((s) => s.name === name);
  if (i > 0) list.unshift(...list.splice(i, 1));
};

/** Builds the image bytes from already merged segments. */
export function layoutImage(segments: readonly NamedSegment[], o: LayoutOptions): Uint8Array {
  const source = o.source ?? "image";
  const fail = (m: string, hint?: string): never => {
    throw new ImageFormatError(source, m, { hint });
  };
  if (segments.length > MAX_SEGMENTS) {
    fail(`${segments.length} segments (at most ${MAX_SEGMENTS})`, "check the linker script");
  }
  const page = o.mmuPageSize ?? o.chip.mmuPageSizes[o.chip.mmuPageSizes.length - 1];
  if (!o.chip.mmuPageSizes.includes(page)) {
    fail(`MMU page size 0x${page.toString(16)} is not valid for ${o.chip.display}`);
  }
  const byAddr = [...segments].sort((a, b) => a.address - b.address);
  const flash = byAddr.filter((s) => isFlashMapped(o.chip, s.address));
  const ram = byAddr.filter((s) => !isFlashMapped(o.chip, s.address));
  toFront(flash, ".flash.appdesc");
  toFront(ram, ".dram0.bootdesc");
  for (let i = 1; i < flash.length; i++) {
    if (Math.floor(flash[i].address / page) === Math.floor(flash[i - 1].address / page)) {
      fail(
        `segment at 0x${flash[i].address.toString(16)} lands in the same ${page / 1024} KB ` +
          `flash page as the one at 0x${flash[i - 1].address.toString(16)}`,
        "merge the sections in the linker script",
      );
    }
  }

  const parts: Uint8Array[] = [new Uint8Array(ESP_HEADER_LENGTH)];
  let pos = ESP_HEADER_LENGTH, count = 0, checksum = ESP_CHECKSUM_SEED;
  const write = (address: number, input: Uint8Array) => {
    const data = patchElfSha(input, pos);
    if (data.length % 4) fail(`segment at 0x${address.toString(16)} is not a multiple of 4`);
    const head = new Uint8Array(SEG_HEADER);
    new DataView(head.buffer).setUint32(0, address >>> 0, true);
    new DataView(head.buffer).setUint32(4, data.length, true);
    parts.push(head, data);
    for (let i = 0; i < data.length; i++) checksum ^= data[i];
    pos += SEG_HEADER + data.length;
    count++;
  };
  const patchElfSha = (data: Uint8Array, at: number): Uint8Array => {
    const off = o.elfSha256Offset, digest = o.elfSha256;
    if (off === undefined || !digest || off < at || off >= at + data.length) return data;
    const rel = off - at;
    if (rel < SEG_HEADER || rel + 32 > data.length) fail("ELF SHA-256 offset is on a boundary");
    const inData = rel - SEG_HEADER;
    if (data.subarray(inData, inData + 32).some((b) => b !== 0)) {
      fail(`bytes at ELF SHA-256 offset 0x${off.toString(16)} are not zero`);
    }
    const out = data.slice();
    out.set(digest, inData);
    return out;
  };
  // Bytes of padding needed so the next segment's data starts at the right page offset. As in
  // esptool, this can exceed a page when the target offset lies behind the current one.
  const padNeeded = (address: number) => {
    const alignPast = (address % page) - SEG_HEADER;
    let pad = page - (pos % page) + alignPast;
    if (pad === 0 || pad === page) return 0;
    pad -= SEG_HEADER;
    return pad < 0 ? pad + page : pad;
  };
  const pending = ram.map((s) => ({ address: s.address, data: s.data }));
  for (const seg of flash) {
    for (let pad = padNeeded(seg.address); pad > 0; pad = padNeeded(seg.address)) {
      const head = pending[0];
      if (head && pad > SEG_HEADER) {
        write(head.address, head.data.subarray(0, pad));
        head.address += Math.min(pad, head.data.length);
        head.data = head.data.subarray(pad);
        if (head.data.length === 0) pending.shift();
      } else write(0, new Uint8Array(pad));
    }
    let data = seg.data;
    if (o.chip.padLastPage) {
      // ESP32 only: old second-stage bootloaders did not map a last page entered by < 0x24 bytes.
      const rem = (pos + SEG_HEADER + data.length) % page;
      if (rem < 0x24) data = concat(data, new Uint8Array(0x24 - rem));
    }
    write(seg.address, data);
  }
  for (const s of pending) write(s.address, s.data);

  const padLen = 15 - (pos % 16);
  parts.push(new Uint8Array(padLen), Uint8Array.of(checksum));
  const hashed = pos + padLen + 1;
  const digest = o.appendDigest ?? true;
  const out = new Uint8Array(hashed + (digest ? 32 : 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  // Header fields are bytes and half-words: refuse what would wrap instead of writing it.
  if (count > 0xff) fail(`${count} segments do not fit the header's segment count byte`);
  const fields: [string, number | undefined, number][] = [
    ["flash mode", o.flashMode, 0xff],
    ["flash size/frequency", o.flashSizeFreq, 0xff],
    ["minimum revision", o.minRev, 0xff],
    ["minimum full revision", o.minRevFull, 0xffff],
    ["maximum full revision", o.maxRevFull, 0xffff],
  ];
  for (const [what, value, max] of fields) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0 && value <= max)) {
      fail(`${what} ${value} does not fit its ${max === 0xff ? 8 : 16}-bit header field`);
    }
  }
  const v = new DataView(out.buffer);
  out.set([0xe9, count, o.flashMode, o.flashSizeFreq], 0);
  v.setUint32(4, o.entry >>> 0, true);
  out[8] = 0xee; // WP pin disabled
  v.setUint16(12, o.chip.imageChipId, true);
  out[14] = o.minRev ?? 0;
  v.setUint16(15, o.minRevFull ?? 0, true);
  v.setUint16(17, o.maxRevFull ?? 0xffff, true);
  out[23] = digest ? 1 : 0;
  if (digest) out.set(sha256(out.subarray(0, hashed)), hashed);
  return out;
}
