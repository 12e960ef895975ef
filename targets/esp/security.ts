/**
 * GET_SECURITY_INFO (0x14) replies: parsing and a one-line summary. Layout from esptool's
 * serial-protocol docs (reference §2.2): flags u32, SPI_BOOT_CRYPT_CNT u8, 7 key purposes,
 * then (not on ESP32-S2's 12-byte reply) chip id u32 and API version u32. Flag bits as
 * esptool and esptool-js name them.
 *
 * @module
 */

/** GET_SECURITY_INFO flag bits. */
export const SecurityFlag = {
  SECURE_BOOT_EN: 1 << 0,
  SECURE_BOOT_AGGRESSIVE_REVOKE: 1 << 1,
  SECURE_DOWNLOAD_ENABLE: 1 << 2,
  SECURE_BOOT_KEY_REVOKE0: 1 << 3,
  SECURE_BOOT_KEY_REVOKE1: 1 << 4,
  SECURE_BOOT_KEY_REVOKE2: 1 << 5,
  SOFT_DIS_JTAG: 1 << 6,
  HARD_DIS_JTAG: 1 << 7,
  DIS_USB: 1 << 8,
  DIS_DOWNLOAD_DCACHE: 1 << 9,
  DIS_DOWNLOAD_ICACHE: 1 << 10,
} as const;

/** A parsed GET_SECURITY_INFO reply. */
export interface SecurityInfo {
  /** Flag word. */
  readonly flags: number;
  /** SPI_BOOT_CRYPT_CNT eFuse: flash encryption is on when an odd number of bits is set. */
  readonly flashCryptCnt: number;
  /** Purposes of key blocks 0–6. */
  readonly keyPurposes: readonly number[];
  /** IMAGE_CHIP_ID; absent in the ESP32-S2's short reply. */
  readonly chipId?: number;
  /** Last word of the long reply (esptool: api_version). */
  readonly apiVersion?: number;
}

/** Parses a reply body (status bytes removed); undefined when it is shorter than 12 bytes. */
export function parseSecurityInfo(body: Uint8Array): SecurityInfo | undefined {
  if (body.length < 12) return undefined;
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  return {
    flags: v.getUint32(0, true),
    flashCryptCnt: body[4],
    keyPurposes: Array.from(body.subarray(5, 12)),
    ...(body.length >= 16 ? { chipId: v.getUint32(12, true) } : {}),
    ...(body.length >= 20 ? { apiVersion: v.getUint32(16, true) } : {}),
  };
}

/** Whether SPI_BOOT_CRYPT_CNT enables flash encryption (an odd number of bits set). */
export function flashEncryptionEnabled(cryptCnt: number): boolean {
  let n = 0;
  for (let c = cryptCnt; c; c &= c - 1) n++;
  return n % 2 === 1;
}

/**
 * One line for `info`: secure boot, flash encryption (with SPI_BOOT_CRYPT_CNT), then every
 * other flag that is set, e.g. `secure boot off, flash encryption off (SPI_BOOT_CRYPT_CNT 0)`.
 */
export function describeSecurity(info: SecurityInfo): string {
  const f = info.flags, F = SecurityFlag;
  const has = (bit: number) => (f & bit) !== 0;
  const boot: string[] = [];
  if (has(F.SECURE_BOOT_AGGRESSIVE_REVOKE)) boot.push("aggressive revoke");
  [F.SECURE_BOOT_KEY_REVOKE0, F.SECURE_BOOT_KEY_REVOKE1, F.SECURE_BOOT_KEY_REVOKE2].forEach(
    (bit, i) => has(bit) && boot.push(`key ${i} revoked`),
  );
  const parts = [
    `secure boot ${has(F.SECURE_BOOT_EN) ? "on" : "off"}${
      boot.length ? ` (${boot.join(", ")})` : ""
    }`,
    `flash encryption ${flashEncryptionEnabled(info.flashCryptCnt) ? "on" : "off"} ` +
    `(SPI_BOOT_CRYPT_CNT ${info.flashCryptCnt})`,
  ];
  if (has(F.SECURE_DOWNLOAD_ENABLE)) parts.push("Secure Download Mode");
  if (has(F.HARD_DIS_JTAG)) parts.push("JTAG disabled");
  else if (has(F.SOFT_DIS_JTAG)) parts.push("JTAG soft-disabled");
  if (has(F.DIS_USB)) parts.push("USB disabled");
  if (has(F.DIS_DOWNLOAD_DCACHE)) parts.push("download-mode D-cache disabled");
  if (has(F.DIS_DOWNLOAD_ICACHE)) parts.push("download-mode I-cache disabled");
  return parts.join(", ");
}

/** What `info` shows for a chip whose ROM has no GET_SECURITY_INFO (ESP32). */
export const SECURITY_NOT_REPORTED = "not reported by this ROM";
