/**
 * The built-in image formats as one plugin.
 *
 * @module
 */
import type { Plugin } from "../../kernel/mod.ts";
import { bin } from "./bin.ts";
import { elf } from "./elf.ts";
import { ihex } from "./ihex.ts";

export { bin, elf, ihex };

/** Registers ihex (with Universal Hex), elf and bin. */
export function formats(): Plugin {
  return (host) => {
    for (const f of [ihex, elf, bin]) host.registerFormat(f);
  };
}
