/**
 * The built-in hash algorithms as one plugin.
 *
 * @module
 */
import type { Plugin } from "../../kernel/mod.ts";
import { crc32 } from "./crc32.ts";
import { md5 } from "./md5.ts";
import { murmur3x2 } from "./murmur3x2.ts";
import { sha256 } from "./sha256.ts";

export { crc32, md5, murmur3x2, sha256 };

/** Registers md5, sha256, crc32 and murmur3x2. */
export function hashes(): Plugin {
  return (host) => {
    for (const h of [md5, sha256, crc32, murmur3x2]) host.registerHash(h);
  };
}
