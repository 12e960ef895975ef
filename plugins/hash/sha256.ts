/**
 * SHA-256.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { HashAlgorithm } from "../../kernel/mod.ts";

/** SHA-256 (FIPS 180-4), 32-byte digest. */
export const sha256: HashAlgorithm = {
  name: "sha256",
  digestLength: 32,
  description: "SHA-256",
  digest: (data) => new Uint8Array(createHash("sha256").update(data).digest()),
};
