/**
 * Chip facts read from eFuse words with READ_REG: the factory MAC, the chip revision and the
 * package. Reading is split from decoding: {@link efuseAddresses} names the words a chip needs
 * (read them in one pipelined batch), {@link decodeMac}, {@link decodeRevision} and
 * {@link decodePackage} turn the values into text. Field positions are data, per chip, in the
 * chip table (`EspChip.efuse`), each cited from esptool's `esptool/targets/<chip>.py`.
 *
 * @module
 */

/** A bit field of one 32-bit register. */
export interface BitField {
  /** Register address. */
  readonly addr: number;
  /** Lowest bit. */
  readonly shift: number;
  /** Width in bits. */
  readonly bits: number;
}

/**
 * How a chip encodes its revision.
 * - `wafer`: eFuse fields WAFER_VERSION_MAJOR / _MINOR; a field listed as several parts is
 *   their concatenation, most significant part first. `eco0` is the ESP32-S3 quirk: on v0.0
 *   chips with block version v1.1 the major field holds something else, so the revision is
 *   v0.0 when the minor's low 3 bits are 0 and both block-version fields read 1.
 * - `esp32`: the classic ESP32 rule: major from eFuse word 3 bit 15, word 5 bit 20 and bit 31
 *   of APB_CTL_DATE (bits 0b000, 0b001, 0b011, 0b111 → 0, 1, 2, 3; anything else 0), minor
 *   from word 5 bits 24–25.
 */
export type RevisionRule =
  | {
    readonly kind: "wafer";
    readonly major: readonly BitField[];
    readonly minor: readonly BitField[];
    readonly eco0?: { readonly blkMajor: BitField; readonly blkMinor: BitField };
  }
  | {
    readonly kind: "esp32";
    readonly word3: number;
    readonly word5: number;
    readonly apbCtlDate: number;
  };

/** Where a chip keeps its MAC, revision and package. */
export interface EfuseMap {
  /** Address of the MAC's low word (bytes 2–5); bytes 0–1 are the low half of the next word. */
  readonly mac: number;
  /** Revision encoding. */
  readonly revision: RevisionRule;
  /** PKG_VERSION: the concatenation of these fields, most significant first. */
  readonly package: readonly BitField[];
  /** Package names by PKG_VERSION, as esptool prints them, where it has a plain table. */
  readonly packageNames?: Readonly<Record<number, string>>;
}

/** A field at `offset` from `base`. */
export function field(base: number, offset: number, shift: number, bits: number): BitField {
  return { addr: base + offset, shift, bits };
}

/** Every register address needed for the MAC and the revision, without repeats. */
export function efuseAddresses(map: EfuseMap): number[] {
  const out = [map.mac, map.mac + 4, ...map.package.map((f) => f.addr)];
  const r = map.revision;
  if (r.kind === "esp32") out.push(r.word3, r.word5, r.apbCtlDate);
  else {
    for (const f of [...r.major, ...r.minor]) out.push(f.addr);
    if (r.eco0) out.push(r.eco0.blkMajor.addr, r.eco0.blkMinor.addr);
  }
  return [...new Set(out)];
}

/** Register values by address, as read. */
export type RegisterValues = ReadonlyMap<number, number>;

function reg(values: RegisterValues, addr: number): number {
  const v = values.get(addr);
  if (v === undefined) throw new Error(`register 0x${addr.toString(16)} was not read`);
  return v >>> 0;
}

function bits(values: RegisterValues, parts: readonly BitField[]): number {
  let v = 0;
  for (const f of parts) {
    v = v * 2 ** f.bits + ((reg(values, f.addr) >>> f.shift) & (2 ** f.bits - 1));
  }
  return v;
}

/** The MAC as `aa:bb:cc:dd:ee:ff`: the high word's low 16 bits, then the low word, big end first. */
export function decodeMac(map: EfuseMap, values: RegisterValues): string {
  const lo = reg(values, map.mac), hi = reg(values, map.mac + 4) & 0xffff;
  const bytes = [hi >>> 8, hi & 0xff, lo >>> 24, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff];
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join(":");
}

/** Major and minor revision. */
export interface Revision {
  readonly major: number;
  readonly minor: number;
}

/** ESP32 major revision by (APB_CTL_DATE bit 31, word 5 bit 20, word 3 bit 15). */
const ESP32_MAJOR: Readonly<Record<number, number>> = { 0b000: 0, 0b001: 1, 0b011: 2, 0b111: 3 };

/** Decodes the revision from the words {@link efuseAddresses} named. */
export function decodeRevision(map: EfuseMap, values: RegisterValues): Revision {
  const r = map.revision;
  if (r.kind === "esp32") {
    const b0 = (reg(values, r.word3) >>> 15) & 1;
    const b1 = (reg(values, r.word5) >>> 20) & 1;
    const b2 = reg(values, r.apbCtlDate) >>> 31;
    return {
      major: ESP32_MAJOR[(b2 << 2) | (b1 << 1) | b0] ?? 0,
      minor: (reg(values, r.word5) >>> 24) & 0x3,
    };
  }
  const minor = bits(values, r.minor);
  if (
    r.eco0 && (minor & 0x7) === 0 && bits(values, [r.eco0.blkMajor]) === 1 &&
    bits(values, [r.eco0.blkMinor]) === 1
  ) return { major: 0, minor: 0 };
  return { major: bits(values, r.major), minor };
}

/** PKG_VERSION from the words {@link efuseAddresses} named. */
export function decodePackage(map: EfuseMap, values: RegisterValues): number {
  return bits(values, map.package);
}

/** A package as `info` shows it: the number, and esptool's name for it when known. */
export function formatPackage(map: EfuseMap, pkg: number): string {
  const name = map.packageNames?.[pkg];
  return name ? `${pkg} (${name})` : String(pkg);
}

/** `v<major>.<minor>`, as esptool prints revisions. */
export function formatRevision(r: Revision): string {
  return `v${r.major}.${r.minor}`;
}
