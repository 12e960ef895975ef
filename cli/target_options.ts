/**
 * Target options as help, `targets -v` and shell completions show them: read from each
 * target's option schema, so what is listed is exactly what is parsed.
 *
 * @module
 */
import type { OptionSchema, Registry, Target } from "../kernel/mod.ts";

/** Targets sharing one option schema. */
export interface OptionGroup {
  /** Names of the targets. */
  readonly targets: readonly string[];
  /** Their schema. */
  readonly schema: OptionSchema;
}

/** The registry's targets grouped by option schema, in target order; targets without none. */
export function optionGroups(targets: readonly Target[]): OptionGroup[] {
  const groups = new Map<OptionSchema, string[]>();
  for (const t of targets) {
    if (!t.options?.keys.length) continue;
    groups.set(t.options, [...groups.get(t.options) ?? [], t.name]);
  }
  return [...groups].map(([schema, names]) => ({ targets: names, schema }));
}

/** Two lines per option: key, accepted values and default; then what it does. */
export function describeOptions(schema: OptionSchema, indent = "  "): string[] {
  const keys = schema.keys;
  const w = Math.max(...keys.map((k) => k.length));
  return keys.flatMap((k) => {
    const s = schema.specs[k];
    const def = s.default !== undefined ? ` (default ${s.default})` : "";
    return [
      `${indent}${k.padEnd(w)}  ${s.values}${def}`,
      `${indent}${" ".repeat(w)}  ${s.description}`,
    ];
  });
}

/** Help text listing every target's options. */
export function targetOptionsHelp(registry: Registry): string {
  const groups = optionGroups(registry.targets());
  if (!groups.length) return "";
  const lines = ["Target options (-O key=value, or deltaflash.options in config):"];
  for (const g of groups) {
    lines.push(`  ${g.targets.join(", ")}:`, ...describeOptions(g.schema, "    "));
  }
  return lines.join("\n") + "\n";
}

/** `key=value` completion candidates (`key=` where the values are not a fixed set). */
export function optionCompletions(registry: Registry): string[] {
  const out = new Set<string>();
  for (const g of optionGroups(registry.targets())) {
    for (const k of g.schema.keys) {
      const choices = g.schema.specs[k].choices;
      if (choices) { for (const c of choices) out.add(`${k}=${c}`); }
      else out.add(`${k}=`);
    }
  }
  return [...out];
}
