/**
 * MD5, the digest ESP ROMs and stubs compute for SPI_FLASH_MD5.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { HashAlgorithm } from "../../kernel/mod.ts";

/** MD5 (RFC 1321), 16-byte digest. */
export const md5: HashAlgorithm = {
  name: "md5",
  digestLength: 16,
  description: "MD5 (ESP ROM and stub SPI_FLASH_MD5)",
  digest: (data) => new Uint8Array(createHash("md5").update(data).digest()),
};
