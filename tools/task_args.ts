/**
 * Option parsing for the repository's tasks (`bench`, `fuzz`, `faults`): a mistyped option or a
 * bad value prints the task's usage and exits with 2, never a stack trace.
 *
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

/** Task options of a `node:util` parseArgs option table. */
export type TaskOptions = NonNullable<ParseArgsConfig["options"]>;

/** Parses `args` with `options`; on a mistake prints `usage` and exits 2 (`--help`: 0). */
export function parseTaskArgs<T extends TaskOptions>(
  args: string[],
  options: T,
  usage: string,
): ReturnType<typeof parseArgs<{ args: string[]; options: T }>>["values"] {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(usage);
    Deno.exit(0);
  }
  try {
    return parseArgs({ args, options }).values;
  } catch (e) {
    console.error(`error: ${e instanceof Error ? e.message : e}\nusage: ${usage}`);
    Deno.exit(2);
  }
}

/** A number option, or undefined when absent; a value that is not a number exits 2. */
export function numberArg(
  name: string,
  value: string | undefined,
  usage: string,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) {
    console.error(`error: --${name} wants a number, not '${value}'\nusage: ${usage}`);
    Deno.exit(2);
  }
  return n;
}
