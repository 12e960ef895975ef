import { deepEqual, equal } from "node:assert/strict";
import {
  describeSecurity,
  flashEncryptionEnabled,
  parseSecurityInfo,
  SecurityFlag,
} from "./security.ts";

function reply(flags: number, cryptCnt: number, length: 12 | 20, chipId = 5): Uint8Array {
  const b = new Uint8Array(length);
  const v = new DataView(b.buffer);
  v.setUint32(0, flags, true);
  b[4] = cryptCnt;
  b.set([1, 2, 3, 4, 5, 6, 7], 5);
  if (length === 20) {
    v.setUint32(12, chipId, true);
    v.setUint32(16, 0x0102, true);
  }
  return b;
}

Deno.test("GET_SECURITY_INFO: the 20-byte and the ESP32-S2's 12-byte reply", () => {
  deepEqual(parseSecurityInfo(reply(0x5, 1, 20, 9)), {
    flags: 0x5,
    flashCryptCnt: 1,
    keyPurposes: [1, 2, 3, 4, 5, 6, 7],
    chipId: 9,
    apiVersion: 0x0102,
  });
  const s2 = parseSecurityInfo(reply(0, 0, 12))!;
  equal(s2.chipId, undefined);
  equal(s2.apiVersion, undefined);
  equal(parseSecurityInfo(new Uint8Array(8)), undefined);
});

Deno.test("flash encryption follows the parity of SPI_BOOT_CRYPT_CNT", () => {
  deepEqual([0, 1, 3, 7, 0b101].map(flashEncryptionEnabled), [false, true, false, true, false]);
});

Deno.test("security summary names the state and every flag set", () => {
  const d = (flags: number, cnt = 0) => describeSecurity(parseSecurityInfo(reply(flags, cnt, 20))!);
  equal(d(0), "secure boot off, flash encryption off (SPI_BOOT_CRYPT_CNT 0)");
  equal(
    d(SecurityFlag.SECURE_BOOT_EN | SecurityFlag.SECURE_BOOT_KEY_REVOKE1, 1),
    "secure boot on (key 1 revoked), flash encryption on (SPI_BOOT_CRYPT_CNT 1)",
  );
  equal(
    d(SecurityFlag.SECURE_DOWNLOAD_ENABLE | SecurityFlag.SOFT_DIS_JTAG | SecurityFlag.DIS_USB, 3),
    "secure boot off, flash encryption off (SPI_BOOT_CRYPT_CNT 3), Secure Download Mode, " +
      "JTAG soft-disabled, USB disabled",
  );
  equal(
    d(0x7ff, 7),
    "secure boot on (aggressive revoke, key 0 revoked, key 1 revoked, key 2 revoked), " +
      "flash encryption on (SPI_BOOT_CRYPT_CNT 7), Secure Download Mode, JTAG disabled, " +
      "USB disabled, download-mode D-cache disabled, download-mode I-cache disabled",
  );
});
