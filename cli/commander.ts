/**
 * The one module that knows the argument parser. Commands are plain specs; this file turns
 * them into commander commands, so replacing commander touches nothing else.
 *
 * @module
 */
import { Command, CommanderError, Option } from "@commander-js/extra-typings";
import { type CommandArgument, UsageError } from "../kernel/mod.ts";

/** An option in commander flag syntax, e.g. `-p, --port <address>`. */
export interface OptionSpec {
  /** Flags. */
  readonly flags: string;
  /** Description. */
  readonly description: string;
  /** Default value. */
  readonly default?: unknown;
  /** Allowed values. */
  readonly choices?: readonly string[];
  /** Environment variable that supplies the value. */
  readonly env?: string;
  /** Repeatable: values collect into an array. */
  readonly repeatable?: boolean;
}

/** A command: arguments, options and what it runs. */
export interface CommandSpec {
  /** Name. */
  readonly name: string;
  /** One-line description. */
  readonly description: string;
  /** Positional arguments. */
  readonly arguments?: readonly CommandArgument[];
  /** Options. */
  readonly options?: readonly OptionSpec[];
  /** Example command lines for help. */
  readonly examples?: readonly string[];
  /** Runs with positional values and merged (global + own) options. */
  run(args: string[], options: Record<string, unknown>): Promise<number | void>;
}

/** The whole program. */
export interface ProgramSpec {
  /** Executable name. */
  readonly name: string;
  /** Version string. */
  readonly version: string;
  /** Description. */
  readonly description: string;
  /** Options every command accepts. */
  readonly globalOptions: readonly OptionSpec[];
  /** Commands. */
  readonly commands: readonly CommandSpec[];
  /** Extra help text at the end of the root help. */
  readonly epilog?: string;
}

/** Where help and parse errors go. */
export interface ProgramIO {
  /** Normal output. */
  out(text: string): void;
  /** Error output. */
  err(text: string): void;
}

function toOption(spec: OptionSpec): Option {
  const o = new Option(spec.flags, spec.description);
  if (spec.choices) o.choices(spec.choices as string[]);
  if (spec.env) o.env(spec.env);
  if (spec.repeatable) {
    o.argParser((v: string, prev: unknown) => [...(Array.isArray(prev) ? prev : []), v]);
  }
  if (spec.default !== undefined) o.default(spec.default as string);
  return o as unknown as Option;
}

/** Names of a command tree, for shell completions. */
export interface CommandTree {
  /** Command names with their long options. */
  readonly commands: { name: string; options: string[] }[];
  /** Global long options. */
  readonly globalOptions: string[];
  /** Values offered after `-O`/`--option` (`key=value`, from the targets' option schemas). */
  readonly optionValues?: readonly string[];
  /**
   * Values offered after an option that takes one, by its flags (`-t, --target` → target
   * names); `files` when paths are candidates too.
   */
  readonly values?: readonly OptionValues[];
}

/** Completion candidates for the value of one option. */
export interface OptionValues {
  /** Long flag, e.g. `--target`. */
  readonly long: string;
  /** Short flag, e.g. `-t`. */
  readonly short?: string;
  /** The candidates. */
  readonly words: readonly string[];
  /** Paths are candidates too (a serial port path). */
  readonly files?: boolean;
}

/** Lists commands and options without parsing anything. */
export function commandTree(spec: ProgramSpec): CommandTree {
  const longs = (o: readonly OptionSpec[] = []) =>
    o.flatMap((x) => x.flags.split(/[ ,|]+/).filter((f) => f.startsWith("--")));
  const globalOptions = [...new Set(longs(spec.globalOptions))];
  const choiceOptions: OptionValues[] = [
    ...spec.globalOptions,
    ...spec.commands.flatMap((c) => c.options ?? []),
  ].flatMap((o) => {
    const flags = o.flags.split(/[ ,|]+/);
    const long = flags.find((f) => f.startsWith("--"));
    const short = flags.find((f) => /^-[^-]$/.test(f));
    return o.choices && long ? [{ long, short, words: o.choices }] : [];
  });
  // A command lists its own options only; global ones are added once by the script.
  return {
    globalOptions,
    commands: spec.commands.map((c) => ({
      name: c.name,
      options: [...new Set(longs(c.options))].filter((o) => !globalOptions.includes(o)),
    })),
    values: [...new Map(choiceOptions.map((v) => [v.long, v])).values()],
  };
}

/**
 * A parse error of commander's as a {@link UsageError}: its first line is the message, a
 * "Did you mean …?" suggestion goes into the hint.
 */
export function usageErrorOf(e: CommanderError): UsageError {
  if (e.code === "commander.help") {
    return new UsageError("no command given", { hint: "run with --help for usage", cause: e });
  }
  const [first, ...rest] = e.message.replace(/^error: /, "").split("\n");
  const suggestion = rest.join(" ").replace(/^\((.*)\)$/, "$1").trim();
  return new UsageError(first, {
    hint: suggestion ? `${suggestion} Run with --help for usage.` : "run with --help for usage",
    cause: e,
  });
}

/**
 * Parses `argv` and runs the chosen command. Returns the exit code: 0 for help/version,
 * otherwise what the command returns. Parse errors throw {@link UsageError} (exit 2), so the
 * caller reports them like any other error (one line, hint, JSON with `--json`).
 */
export async function runProgram(
  spec: ProgramSpec,
  argv: string[],
  io: ProgramIO,
): Promise<number> {
  // Parse errors are reported by the caller, from the UsageError thrown below.
  const output = { writeOut: io.out, writeErr: io.err, outputError: () => {} };
  const program = new Command()
    .name(spec.name)
    .description(spec.description)
    .version(spec.version, "-V, --version")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput(output);
  for (const o of spec.globalOptions) program.addOption(toOption(o));
  if (spec.epilog) program.addHelpText("after", spec.epilog);
  let code = 0;
  for (const c of spec.commands) {
    const cmd = program.command(c.name).description(c.description).exitOverride()
      .configureOutput(output);
    for (const a of c.arguments ?? []) {
      const n = a.variadic ? `${a.name}...` : a.name;
      cmd.argument(a.required === false ? `[${n}]` : `<${n}>`, a.description);
    }
    for (const o of c.options ?? []) cmd.addOption(toOption(o));
    if (c.examples?.length) {
      cmd.addHelpText("after", `\nExamples:\n${c.examples.map((e) => `  $ ${e}`).join("\n")}\n`);
    }
    cmd.action(async (...raw: unknown[]) => {
      const self = raw[raw.length - 1] as Command;
      const positional = (raw.slice(0, -2) as (string | string[] | undefined)[])
        .flatMap((v) => v === undefined ? [] : Array.isArray(v) ? v : [v]);
      const result = await c.run(positional, self.optsWithGlobals() as Record<string, unknown>);
      code = typeof result === "number" ? result : 0;
    });
  }
  try {
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return 0;
      throw usageErrorOf(e); // usage errors, and help shown because no command was given
    }
    throw e;
  }
}
