/**
 * Typed target options: each target declares its options (`-O key=value`, config
 * `deltaflash.options`) as zod schemas with the text help shows, and the kernel parses them
 * before connecting. Values from the command line arrive as strings, those from config as
 * JSON, so every option accepts both spellings, and parsing an already parsed value gives it
 * back unchanged. The kernel needs only `safeParse` of a schema (it imports no zod itself);
 * `option_kinds.ts` builds the common kinds with zod.
 *
 * @module
 */
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

/**
 * The one size parser: `4096`, `0x1000`, `0o10`, `0b1`, `4K`, `1M`, and unless `unitOnly`
 * (esptool's partition CSV cells take `K`/`M` alone) `4KB`, `4 MB`; an optional leading `-`;
 * undefined for anything else.
 */
export function parseSize(text: string, options: { unitOnly?: boolean } = {}): number | undefined {
  const re = options.unitOnly
    ? /^(-?)(0x[0-9a-f]+|0o[0-7]+|0b[01]+|\d+)([km])?$/i
    : /^(-?)(0x[0-9a-f]+|0o[0-7]+|0b[01]+|\d+)\s*(?:([km])i?b?|b)?$/i;
  const m = re.exec(text.trim());
  if (!m) return undefined;
  const unit = (m[3] ?? "").toLowerCase();
  const n = Number(m[2].toLowerCase()) * (unit === "m" ? 1 << 20 : unit === "k" ? 1 << 10 : 1);
  return m[1] ? -n : n;
}

/** The parsed option type of an {@link OptionSchema}. */
export type OptionsOf<S> = S extends OptionSchema<infer O> ? O : never;
