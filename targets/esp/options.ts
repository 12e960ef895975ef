/**
 * The ESP targets' options (`-O key=value`, config `deltaflash.options`): one schema the CLI
 * parses before connecting and lists in `targets -v`, `--help` and completions. esptool's
 * spellings (`no_reset`, `default_reset`, `hard_reset`) are accepted.
 *
 * @module
 */
import { z } from "npm:zod@^4.1.0";
import { defineOptions, type OptionsOf } from "../../kernel/mod.ts";
import { option } from "../../kernel/option_kinds.ts";

/** How the device is asked for hashes. */
export type HashStrategy = "auto" | "per-sector" | "bisect" | "whole-then-sector";

/** The accepted strategy names. */
export const HASH_STRATEGIES: readonly HashStrategy[] = [
  "auto",
  "per-sector",
  "bisect",
  "whole-then-sector",
];

const isFlashSize = (n: number) => n >= 0x40000 && n <= 0x8000000 && (n & (n - 1)) === 0;

/** The ESP targets' option schema. */
export const espOptions = defineOptions({
  hashStrategy: option.choice(HASH_STRATEGIES, {
    default: "auto",
    description: "how the device is asked for hashes (auto: the cost model picks)",
  }),
  before: option.choice(["default-reset", "no-reset"], {
    default: "default-reset",
    description: "reset into the ROM loader first, or just sync (no-reset)",
  }),
  after: option.choice(["hard-reset", "no-reset", "no-reset-no-stub", "no-reset-stub"], {
    default: "hard-reset",
    description: "run the new application afterwards (hard-reset), or stay in the ROM loader " +
      "(no-reset: a running flasher stub is left by FLASH_END with the reboot flag, as esptool " +
      "and espflash do), or stay in the stub (no-reset-no-stub, esptool's no-reset-stub)",
  }),
  stub: {
    schema: z.preprocess(
      (v) => typeof v === "boolean" ? String(v) : typeof v === "string" ? v.toLowerCase() : v,
      z.enum(["auto", "true", "false"]).default("auto"),
    ).transform((v) => v === "auto" ? "auto" as const : v === "true"),
    values: "auto | true | false",
    choices: ["auto", "true", "false"],
    description: "esp-flasher-stub (from the esptool-js package): auto uploads it when it pays",
    default: "auto",
  },
  compress: option.boolean({ default: true, description: "deflate writes (false: raw)" }),
  flashSize: option.size({
    values: "a flash size from 256KB to 128MB (a power of two)",
    check: isFlashSize,
    description: "flash size, skipping detection (e.g. 4MB)",
  }),
  latencyMs: option.number({
    min: 0,
    default: 1,
    description: "USB-serial bridge latency per direction the cost model assumes, ms",
  }),
});

/** Parsed ESP target options. */
export type EspOptions = OptionsOf<typeof espOptions>;
