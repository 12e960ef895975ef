/**
 * The nRF targets' options (`-O key=value`, config `deltaflash.options`).
 *
 * @module
 */
import { defineOptions, type OptionsOf } from "../../kernel/mod.ts";
import { option } from "../../kernel/option_kinds.ts";

/** The nRF targets' option schema. */
export const nrfOptions = defineOptions({
  reset: option.boolean({
    default: true,
    description: "reset into the application afterwards (false keeps the core halted)",
  }),
  swdClockHz: option.number({
    min: 1,
    default: 10_000_000,
    description: "SWD clock of a CMSIS-DAP probe, Hz",
  }),
});

/** Parsed nRF target options. */
export type NrfOptions = OptionsOf<typeof nrfOptions>;
