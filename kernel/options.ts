/**
 * Typed target options: each target declares its options (`-O key=value`, config
 * `deltaflash.options`) as zod schemas with the text help shows, and the kernel parses them
 * before connecting. Values from the command line arrive as strings, those from config as
 * JSON, so every option accepts both spellings, and parsing an already parsed value gives it
 * back unchanged.
 *
 * @module
 */
import { z } from "npm:zod@^4.1.0";
import { UsageError } from "./errors.ts";

/** A problem a schema found. */
export interface SchemaIssue {
  /** Where, within the value. */
  readonly path: readonly PropertyKey[];
  /** What. */
  readonly message: string;
}

/** The outcome of {@link ParseSchema.safeParse}. */
export type SafeParseResult<T> =
  | { readonly success: true; readonly data: T }
  | { readonly success: false; readonly error: { readonly issues: readonly SchemaIssue[] } };

/** What the kernel asks of an option's schema; every zod schema is one. */
export interface ParseSchema<T> {
  /** Parses a value without throwing. */
  safeParse(value: unknown): SafeParseResult<T>;
}

/** One option: its zod schema and what `--help`, `targets -v` and completions show. */
export interface OptionSpec<T = unknown> {
  /** Parses a raw value (string from `-O`, JSON from config, or an already parsed value). */
  readonly schema: ParseSchema<T>;
  /** The accepted values as shown to users, e.g. `auto | bisect` or `e.g. 4MB`. */
  readonly values: string;
  /** Completion candidates, when the values are a fixed set. */
  readonly choices?: readonly string[];
  /** One line on what the option does. */
  readonly description: string;
  /** Default shown in help. */
  readonly default?: string;
}

/** Options by key. */
export type OptionShape = { readonly [key: string]: OptionSpec };

/** The parsed values of an {@link OptionShape}. */
export type OptionValues<S extends OptionShape> = {
  readonly [K in keyof S]: S[K] extends OptionSpec<infer T> ? T : never;
};

/** Parsed options of a target whose type is not known statically. */
export type AnyOptions = Readonly<Record<string, unknown>>;

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length];
}

/** The candidate closest to `word` (case-insensitive), when it is close enough to be a typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (!best || d < best.d) best = { c, d };
  }
  return best && best.d <= Math.max(2, Math.floor(word.length / 3)) ? best.c : undefined;
}

/** A target's options: one zod schema per key with its help; unknown keys are refused. */
export class OptionSchema<O extends AnyOptions = AnyOptions> {
  /** Per-option schemas and help, in declaration order. */
  readonly specs: OptionShape;

  /** Builds the schema from per-option specs. */
  constructor(specs: OptionShape) {
    this.specs = specs;
  }

  /** Option keys in declaration order. */
  get keys(): string[] {
    return Object.keys(this.specs);
  }

  /**
   * Parses raw options for `owner` (a target name, for messages). An unknown key or a bad
   * value is a {@link UsageError} naming the closest key or the accepted values.
   */
  parse(raw: Readonly<Record<string, unknown>> | undefined, owner: string): O {
    const input = Object.fromEntries(
      Object.entries(raw ?? {}).filter(([, v]) => v !== undefined),
    );
    const keys = this.keys;
    for (const key of Object.keys(input)) {
      if (Object.hasOwn(this.specs, key)) continue;
      const near = closest(key, keys);
      throw new UsageError(`unknown option '${key}' for ${owner}`, {
        hint: !keys.length
          ? `${owner} takes no options`
          : `${near ? `did you mean ${near}? ` : ""}${owner} takes: ${keys.join(", ")}`,
      });
    }
    const out: Record<string, unknown> = {};
    for (const [key, spec] of Object.entries(this.specs)) {
      const r = spec.schema.safeParse(input[key]);
      if (r.success) {
        if (r.data !== undefined) out[key] = r.data;
        continue;
      }
      const value = input[key];
      const shown = typeof value === "string" ? `'${value}'` : JSON.stringify(value);
      throw new UsageError(`bad value ${shown} for option ${key} of ${owner}`, {
        hint: spec.choices
          ? `use one of: ${spec.choices.join(", ")}`
          : `${key} takes ${spec.values}`,
      });
    }
    // Each key was parsed by the schema its type comes from.
    return out as O;
  }
}

/** Declares a target's options; the result is what `TargetDefinition.options` holds. */
export function defineOptions<S extends OptionShape>(specs: S): OptionSchema<OptionValues<S>> {
  return new OptionSchema<OptionValues<S>>(specs);
}

/** A target that takes no options. */
export const NO_OPTIONS: OptionSchema<Record<string, never>> = new OptionSchema({});

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

/**
 * The one size parser: `4096`, `0x1000`, `0o10`, `0b1`, `4K`, `4KB`, `1M`, `4 MB`, with an
 * optional leading `-`; undefined for anything else.
 */
export function parseSize(text: string): number | undefined {
  const m = /^(-?)(0x[0-9a-f]+|0o[0-7]+|0b[01]+|\d+)\s*(?:([km])i?b?|b)?$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = (m[3] ?? "").toLowerCase();
  const n = Number(m[2].toLowerCase()) * (unit === "m" ? 1 << 20 : unit === "k" ? 1 << 10 : 1);
  return m[1] ? -n : n;
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

/** The parsed option type of an {@link OptionSchema}. */
export type OptionsOf<S> = S extends OptionSchema<infer O> ? O : never;
