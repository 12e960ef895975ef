/**
 * Builders for common target option kinds (a choice, a boolean, a number, a byte size) as zod
 * schemas that accept both the strings of `-O key=value` and the JSON of a config file.
 *
 * @module
 */
import { z } from "npm:zod@^4.1.0";
import { type OptionSpec, type ParseSchema, parseSize } from "./options.ts";

/** Help fields shared by the option builders. */
export interface OptionHelp {
  /** One line on what the option does. */
  readonly description: string;
}

/** Normalises a choice as users type it: any case, and `_` for `-` as esptool spells it. */
function normaliseChoice(values: readonly string[], aliases: Readonly<Record<string, string>>) {
  return (v: unknown): unknown => {
    if (typeof v === "number" || typeof v === "boolean") v = String(v);
    if (typeof v !== "string") return v;
    const t = v.trim();
    if (values.includes(t)) return t;
    const spelled = t.toLowerCase().replace(/_/g, "-");
    return aliases[t.toLowerCase()] ?? values.find((x) => x.toLowerCase() === spelled) ?? t;
  };
}

/** Builders for common option kinds. */
export const option = {
  /** One of a fixed set of strings; `aliases` maps other spellings to one of them. */
  choice<const V extends string, const D extends V | undefined = undefined>(
    values: readonly V[],
    help: OptionHelp & { readonly default?: D; readonly aliases?: Readonly<Record<string, V>> },
  ): OptionSpec<D extends V ? V : V | undefined> {
    const e = z.enum(values as [V, ...V[]]);
    const inner = help.default !== undefined ? e.default(help.default as never) : e.optional();
    return {
      schema: z.preprocess(
        normaliseChoice(values, help.aliases ?? {}),
        inner,
      ) as unknown as ParseSchema<
        D extends V ? V : V | undefined
      >,
      values: values.join(" | "),
      choices: values,
      description: help.description,
      default: help.default,
    };
  },
  /** `true` or `false` (as JSON or as text). */
  boolean<const D extends boolean | undefined = undefined>(
    help: OptionHelp & { readonly default?: D },
  ): OptionSpec<D extends boolean ? boolean : boolean | undefined> {
    const b = z.preprocess(
      (v) => v === "true" ? true : v === "false" ? false : v,
      z.boolean({ error: "expected true or false" }),
    );
    return {
      schema:
        (help.default !== undefined
          ? b.default(help.default)
          : b.optional()) as unknown as ParseSchema<
            D extends boolean ? boolean : boolean | undefined
          >,
      values: "true | false",
      choices: ["true", "false"],
      description: help.description,
      default: help.default === undefined ? undefined : String(help.default),
    };
  },
  /** A number (JSON or text), at least `min`. */
  number<const D extends number | undefined = undefined>(
    help: OptionHelp & { readonly min?: number; readonly default?: D },
  ): OptionSpec<D extends number ? number : number | undefined> {
    const n = z.preprocess(
      (v) => typeof v === "string" && v.trim() !== "" && !isNaN(Number(v)) ? Number(v) : v,
      z.number({ error: "expected a number" }).min(help.min ?? -Infinity),
    );
    return {
      schema:
        (help.default !== undefined
          ? n.default(help.default)
          : n.optional()) as unknown as ParseSchema<
            D extends number ? number : number | undefined
          >,
      values: help.min !== undefined ? `a number ≥ ${help.min}` : "a number",
      description: help.description,
      default: help.default === undefined ? undefined : String(help.default),
    };
  },
  /** A byte size (`4MB`, `512K`, `0x400000`); `check` refuses sizes the target cannot have. */
  size(
    help: OptionHelp & {
      readonly values: string;
      readonly check?: (bytes: number) => boolean;
    },
  ): OptionSpec<number | undefined> {
    const s = z.preprocess(
      (v) => typeof v === "string" ? parseSize(v) ?? v : v,
      z.number({ error: `expected a size such as 4MB` }).int().positive().refine(
        (n) => help.check?.(n) ?? true,
        { message: `expected ${help.values}` },
      ),
    );
    return { schema: s.optional(), values: help.values, description: help.description };
  },
};
