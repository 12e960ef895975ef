/**
 * The ESP-IDF app/bootloader image (magic 0xE9): parse, validate and write back byte for byte.
 *
 * Layout (esptool `docs/en/advanced-topics/firmware-image-format.rst`): an 8-byte header, a
 * 16-byte extended header, segments (`u32 address, u32 length, data`), zero padding so the
 * checksum byte is the last byte of a 16-byte line, the checksum (0xEF XOR every segment data
 * byte), then a SHA-256 of everything before it when `hash_appended` is 1. Anything after
 * that (signature blocks, 0xFF fill of a merged file) is kept as an opaque trailer.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { ImageFormatError } from "../../../kernel/mod.ts";

/** First byte of every ESP32-family image. */
export const ESP_IMAGE_MAGIC = 0xe9;
/** Seed of the segment checksum (esptool `ESP_CHECKSUM_MAGIC`). */
export const ESP_CHECKSUM_SEED = 0xef;
/** Header (8) + extended header (16). */
export const ESP_HEADER_LENGTH = 24;
/** Offset of `hash_appended` in the file. */
export const HASH_APPENDED_OFFSET = 23;
/** Most segments the ROM and bootloader accept. */
export const MAX_SEGMENTS = 16;

/** The extended header, field by field (struct `<BBBBHBHH4sB`). */
export interface EspExtendedHeader {
  /** SPI WP pin, 0xEE = disabled. */
  readonly wpPin: number;
  /** Three bytes of SPI pin drive settings (two 4-bit fields per byte). */
  readonly spiDrive: readonly [number, number, number];
  /** Image chip id (0 = ESP32, 5 = ESP32-C3, …). */
  readonly chipId: number;
  /** Deprecated minimum revision byte. */
  readonly minRev: number;
  /** Minimum chip revision, major × 100 + minor. */
  readonly minRevFull: number;
  /** Maximum chip revision, major × 100 + minor. */
  readonly maxRevFull: number;
  /** Four reserved bytes. */
  readonly reserved: readonly [number, number, number, number];
  /** 1 when a SHA-256 follows the checksum. */
  readonly hashAppended: number;
}

/** One segment as stored in the image. */
export interface EspImageSegment {
  /** Load address. */
  readonly address: number;
  /** Segment bytes. */
  readonly data: Uint8Array;
  /** Offset of the segment's 8-byte header in the file. */
  readonly fileOffset?: number;
}

/** A parsed image: every byte of the file is in exactly one field. */
export interface EspAppImage {
  /** Segment count byte of the header (equals `segments.length` in a valid image). */
  readonly segmentCount: number;
  /** Header byte 2: SPI flash mode. */
  readonly flashMode: number;
  /** Header byte 3: flash size (high nibble) and frequency (low nibble). */
  readonly flashSizeFreq: number;
  /** Entry point. */
  readonly entry: number;
  /** Extended header. */
  readonly ext: EspExtendedHeader;
  /** Segments in file order. */
  readonly segments: readonly EspImageSegment[];
  /** Bytes between the last segment and the checksum byte (zeros when well formed). */
  readonly padding: Uint8Array;
  /** Stored checksum byte. */
  readonly checksum: number;
  /** Stored SHA-256 when `hashAppended` is 1. */
  readonly hash?: Uint8Array;
  /** Bytes after the checksum (and hash), kept as they are. */
  readonly trailer: Uint8Array;
}

/** Validation result of a parsed image against its own bytes. */
export interface EspImageCheck {
  /** Checksum the segments give. */
  readonly checksumCalculated: number;
  /** Stored checksum equals the calculated one. */
  readonly checksumValid: boolean;
  /** SHA-256 of the bytes before the hash, when one is appended. */
  readonly hashCalculated?: Uint8Array;
  /** Stored hash equals the calculated one; undefined when no hash is appended. */
  readonly hashValid?: boolean;
}

/** 0xEF XOR every byte of every segment's data (or of `seed`'s continuation). */
export function espChecksum(chunks: Iterable<Uint8Array>, seed = ESP_CHECKSUM_SEED): number {
  let sum = seed;
  for (const c of chunks) for (let i = 0; i < c.length; i++) sum ^= c[i];
  return sum;
}

/** SHA-256 of `bytes`. */
export function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(bytes).digest());
}

/** True when `bytes` start like an app/bootloader image (magic, sane count, hash flag). */
export function looksLikeAppImage(bytes: Uint8Array): boolean {
  return bytes.length >= ESP_HEADER_LENGTH + 16 && bytes[0] === ESP_IMAGE_MAGIC &&
    bytes[1] >= 1 && bytes[1] <= MAX_SEGMENTS && bytes[HASH_APPENDED_OFFSET] <= 1;
}

/** Parses an image; throws ImageFormatError naming `source` on malformed input. */
export function parseAppImage(bytes: Uint8Array, source = "image"): EspAppImage {
  const fail = (m: string): never => {
    throw new ImageFormatError(source, m);
  };
  if (bytes.length < ESP_HEADER_LENGTH) fail("too short for an ESP image header");
  if (bytes[0] !== ESP_IMAGE_MAGIC) {
    fail(
      bytes[0] === 0xaa && bytes[1] === 0x50
        ? "this is a partition table, not an app image"
        : `bad magic 0x${bytes[0].toString(16)} (an ESP image starts with 0xe9)`,
    );
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ext: EspExtendedHeader = {
    wpPin: bytes[8],
    spiDrive: [bytes[9], bytes[10], bytes[11]],
    chipId: v.getUint16(12, true),
    minRev: bytes[14],
    minRevFull: v.getUint16(15, true),
    maxRevFull: v.getUint16(17, true),
    reserved: [bytes[19], bytes[20], bytes[21], bytes[22]],
    hashAppended: bytes[23],
  };
  if (ext.hashAppended > 1) fail(`hash_appended is 0x${ext.hashAppended.toString(16)}, not 0/1`);
  const segmentCount = bytes[1];
  if (segmentCount > MAX_SEGMENTS) fail(`${segmentCount} segments (at most ${MAX_SEGMENTS})`);
  const segments: EspImageSegment[] = [];
  let pos = ESP_HEADER_LENGTH;
  for (let i = 0; i < segmentCount; i++) {
    if (pos + 8 > bytes.length) fail(`segment ${i} header runs past the end of the file`);
    const address = v.getUint32(pos, true), length = v.getUint32(pos + 4, true);
    if (pos + 8 + length > bytes.length) {
      fail(`segment ${i} (0x${address.toString(16)}, ${length} bytes) runs past the end`);
    }
    segments.push({ address, data: bytes.subarray(pos + 8, pos + 8 + length), fileOffset: pos });
    pos += 8 + length;
  }
  const checksumAt = pos + (15 - (pos % 16));
  if (checksumAt >= bytes.length) fail("missing checksum byte");
  const end = checksumAt + 1 + (ext.hashAppended ? 32 : 0);
  if (end > bytes.length) fail("missing appended SHA-256");
  return {
    segmentCount,
    flashMode: bytes[2],
    flashSizeFreq: bytes[3],
    entry: v.getUint32(4, true),
    ext,
    segments,
    padding: bytes.subarray(pos, checksumAt),
    checksum: bytes[checksumAt],
    hash: ext.hashAppended ? bytes.subarray(checksumAt + 1, end) : undefined,
    trailer: bytes.subarray(end),
  };
}

/** Length of the bytes the appended hash covers (header through checksum byte). */
export function hashedLength(image: EspAppImage): number {
  let n = ESP_HEADER_LENGTH;
  for (const s of image.segments) n += 8 + s.data.length;
  return n + image.padding.length + 1;
}

/** Options of {@link serializeAppImage}. */
export interface SerializeOptions {
  /** Recompute segment count, padding, checksum and hash instead of keeping stored ones. */
  readonly recompute?: boolean;
}

/** Writes the image back; without `recompute` the result equals the parsed bytes. */
export function serializeAppImage(image: EspAppImage, options: SerializeOptions = {}): Uint8Array {
  const re = options.recompute ?? false;
  let bodyLen = ESP_HEADER_LENGTH;
  for (const s of image.segments) bodyLen += 8 + s.data.length;
  const padLen = re ? 15 - (bodyLen % 16) : image.padding.length;
  const hashed = bodyLen + padLen + 1;
  const hasHash = image.ext.hashAppended === 1;
  const out = new Uint8Array(hashed + (hasHash ? 32 : 0) + image.trailer.length);
  const v = new DataView(out.buffer);
  out[0] = ESP_IMAGE_MAGIC;
  out[1] = re ? image.segments.length : image.segmentCount;
  out[2] = image.flashMode;
  out[3] = image.flashSizeFreq;
  v.setUint32(4, image.entry >>> 0, true);
  const e = image.ext;
  out.set([e.wpPin, ...e.spiDrive], 8);
  v.setUint16(12, e.chipId, true);
  out[14] = e.minRev;
  v.setUint16(15, e.minRevFull, true);
  v.setUint16(17, e.maxRevFull, true);
  out.set(e.reserved, 19);
  out[23] = e.hashAppended;
  let pos = ESP_HEADER_LENGTH;
  for (const s of image.segments) {
    v.setUint32(pos, s.address >>> 0, true);
    v.setUint32(pos + 4, s.data.length, true);
    out.set(s.data, pos + 8);
    pos += 8 + s.data.length;
  }
  if (!re) out.set(image.padding, pos);
  out[hashed - 1] = re ? espChecksum(image.segments.map((s) => s.data)) : image.checksum;
  if (hasHash) {
    const digest = re || !image.hash ? sha256(out.subarray(0, hashed)) : image.hash;
    out.set(digest, hashed);
  }
  out.set(image.trailer, out.length - image.trailer.length);
  return out;
}

/** Checks the stored checksum and hash of `image` against `bytes` it was parsed from. */
export function checkAppImage(image: EspAppImage, bytes: Uint8Array): EspImageCheck {
  const checksumCalculated = espChecksum(image.segments.map((s) => s.data));
  const checksumValid = checksumCalculated === image.checksum;
  if (!image.hash) return { checksumCalculated, checksumValid };
  const hashCalculated = sha256(bytes.subarray(0, hashedLength(image)));
  const hashValid = hashCalculated.every((b, i) => b === image.hash![i]);
  return { checksumCalculated, checksumValid, hashCalculated, hashValid };
}

/** Parses and validates; throws ImageFormatError when the checksum or hash is wrong. */
export function readValidAppImage(bytes: Uint8Array, source = "image"): EspAppImage {
  const image = parseAppImage(bytes, source);
  const check = checkAppImage(image, bytes);
  if (!check.checksumValid) {
    throw new ImageFormatError(
      source,
      `checksum 0x${hex2(image.checksum)} does not match the segments (0x${
        hex2(check.checksumCalculated)
      })`,
      { hint: "the image is corrupt or truncated; rebuild it" },
    );
  }
  if (check.hashValid === false) {
    throw new ImageFormatError(source, "appended SHA-256 does not match the image", {
      hint: "the image is corrupt or was edited without recomputing its hash",
    });
  }
  return image;
}

const hex2 = (n: number) => n.toString(16).padStart(2, "0");
