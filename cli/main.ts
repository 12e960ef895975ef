/**
 * The CLI: global options, built-in and plugin commands, and error reporting
 * (one line plus a hint; a stack trace only with -v).
 *
 * @module
 */
import {
  AbortedError,
  EXIT_INTERRUPTED,
  type PluginFailure,
  printableLines,
  type Registry,
  UsageError,
} from "../kernel/mod.ts";
import { BUILTIN_COMMANDS } from "./builtin_commands.ts";
import { asDeltaflashError, reportError } from "./errors.ts";
import {
  type CommandSpec,
  commandTree,
  type OptionSpec,
  type OptionValues,
  type ProgramSpec,
  runProgram,
} from "./commander.ts";
import { completionScript, type Shell, SHELLS } from "./completions.ts";
import { deviceCommands } from "./commands/device.ts";
import { diffCommand } from "./commands/diff.ts";
import { monitorCommand } from "./commands/monitor.ts";
import { flashCommand, planCommand } from "./commands/flash.ts";
import { hashCommand } from "./commands/hash.ts";
import { probesCommand } from "./commands/probes.ts";
import { targetsCommand } from "./commands/targets.ts";
import { loadConfig, validateConfig } from "./config.ts";
import { buildRegistry } from "./plugins.ts";
import { optionCompletions, targetOptionsHelp } from "./target_options.ts";
import { type CliIO, RESET_AFTER, RESET_BEFORE } from "./session.ts";

/** Version printed by `--version`. */
export const VERSION = "0.1.0";

/** Options every command accepts. */
export const GLOBAL_OPTIONS: OptionSpec[] = [
  {
    flags: "--config <file>",
    description: "config file (default: nearest deno.json / deltaflash.json)",
  },
  { flags: "-t, --target <name>", description: "target (see `deltaflash targets`)" },
  {
    flags: "-c, --chip <name>",
    description: "chip or board, as in esptool and espflash (same names as --target)",
  },
  {
    flags: "-p, --port <address>",
    description: "serial port: /dev/ttyUSB0, sim:esp32c3, rfc2217://host:port",
    env: "DELTAFLASH_PORT",
    repeatable: true,
  },
  {
    flags: "--probe <address>",
    description: "debug probe: sim:microbit-v2, hid:…, gdb://host:port",
    env: "DELTAFLASH_PROBE",
    repeatable: true,
  },
  {
    flags: "-b, --baud <rate>",
    description: "serial baud rate for flashing",
    env: "DELTAFLASH_BAUD",
  },
  {
    flags: "-O, --option <key=value>",
    description: "target option, e.g. -O hashStrategy=bisect -O after=no-reset (see README)",
    repeatable: true,
  },
  {
    flags: "--before <action>",
    description: "ESP: reset before connecting (esptool's values)",
    choices: RESET_BEFORE,
  },
  {
    flags: "--after <action>",
    description: "ESP: what the chip does afterwards (esptool's values)",
    choices: RESET_AFTER,
  },
  { flags: "--no-stub", description: "ESP: talk to the ROM loader, never upload a flasher stub" },
  { flags: "--speed <kHz>", description: "SWD clock of a CMSIS-DAP probe in kHz (as probe-rs)" },
  {
    flags: "--allow-remote-plugins",
    description: "load plugins the config lists as http(s):// URLs (remote code)",
  },
  { flags: "--json", description: "machine-readable output on stdout" },
  { flags: "-v, --verbose", description: "more detail; stack traces on errors" },
  {
    flags: "--realtime",
    description: "run simulated devices in real time instead of modelled time",
  },
];

const EPILOG = `
Environment variables:
  DELTAFLASH_PORT   default for --port
  DELTAFLASH_PROBE  default for --probe
  DELTAFLASH_BAUD   default for --baud
  NO_COLOR          disable colours

Exit codes: 0 success, 1 failure (device, image, verify), 2 usage error,
130 interrupted. With --json a failure prints {"error": {code, message, hint}}.
`;

function pluginCommand(c: ReturnType<Registry["commands"]>[number], io: CliIO): CommandSpec {
  return {
    name: c.name,
    description: c.description,
    arguments: c.arguments,
    options: c.options?.map((o) => ({
      flags: o.flags,
      description: o.description,
      default: o.default,
    })),
    run: async (args, opts) => (await c.run(args, opts, io)) ?? 0,
  };
}

/**
 * The command word of `argv` (the first argument that is not an option or an option's
 * value), or undefined.
 */
export function commandWord(argv: readonly string[]): string | undefined {
  const takesValue = new Set(
    GLOBAL_OPTIONS.filter((o) => /<.+>/.test(o.flags))
      .flatMap((o) => o.flags.split(/[ ,]+/).filter((f) => f.startsWith("-"))),
  );
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") return argv[i + 1];
    if (!a.startsWith("-")) return a;
    if (takesValue.has(a)) i++;
  }
  return undefined;
}

/**
 * Whether `argv` may run a plugin command, so plugins must load to build the program:
 * never for built-in commands (they load plugins themselves), help, version or completions.
 */
export function needsPluginCommands(argv: readonly string[]): boolean {
  const word = commandWord(argv);
  if (word === undefined || BUILTIN_COMMANDS.includes(word)) return false;
  const end = argv.indexOf("--");
  const opts = end < 0 ? argv : argv.slice(0, end);
  return !opts.some((a) => ["-h", "--help", "-V", "--version"].includes(a));
}

/**
 * The registry the program is built with: none for `--version` or a built-in command (which
 * loads its own session); the built-in plugins only for help and completions; the project's
 * plugins too only when the command may be one of theirs.
 */
async function projectRegistry(argv: string[], io: CliIO): Promise<Registry | undefined> {
  if (hasFlag(argv, "-V", "--version")) return undefined;
  if (!needsPluginCommands(argv)) {
    const word = commandWord(argv);
    const help = hasFlag(argv, "-h", "--help") || word === undefined || word === "help" ||
      word === "completions";
    return help ? await buildRegistry(validateConfig({}, undefined, Deno.cwd())) : undefined;
  }
  try {
    const i = argv.indexOf("--config");
    const explicit = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith("--config="))?.slice(9);
    const registry = await buildRegistry(await loadConfig(Deno.cwd(), explicit), {
      allowRemotePlugins: hasFlag(argv, "--allow-remote-plugins"),
      notify: (line) => io.err(printableLines(line)),
    });
    const warn = (f: PluginFailure) => io.err(`warning: ${printableLines(f.error.message)}`);
    registry.failures.forEach(warn);
    registry.onLateFailure = warn;
    return registry;
  } catch {
    return undefined; // config errors surface when a command actually loads the session
  }
}

/**
 * What the shell offers after --target/--chip (target names and chip aliases), --port and
 * --probe (the simulated devices' `sim:` addresses; ports also as paths).
 */
function valueCompletions(registry: Registry): OptionValues[] {
  const targets = registry.targets();
  const names = [...new Set(targets.flatMap((t) => [t.name, ...(t.aliases ?? [])]))];
  const sims = (kind: "serial" | "dap", link: "serial" | "probe") =>
    registry.transports().some((p) => p.kind === kind && p.scheme === "sim")
      ? targets.filter((t) => t.link === link).map((t) => `sim:${t.name}`)
      : [];
  return [
    { long: "--target", short: "-t", words: names },
    { long: "--chip", short: "-c", words: names },
    {
      long: "--port",
      short: "-p",
      words: ["serial:auto", ...sims("serial", "serial")],
      files: true,
    },
    { long: "--probe", words: ["hid:", ...sims("dap", "probe")] },
  ];
}

/** Builds the program spec. */
export async function programSpec(io: CliIO, argv: string[] = []): Promise<ProgramSpec> {
  const builtins = [
    flashCommand(io),
    planCommand(io),
    hashCommand(io),
    diffCommand(io),
    ...deviceCommands(io),
    monitorCommand(io),
    targetsCommand(io),
    probesCommand(io),
  ];
  const names = new Set(builtins.map((c) => c.name));
  const registry = await projectRegistry(argv, io);
  const extra = (registry?.commands() ?? []).filter((c) => !BUILTIN_COMMANDS.includes(c.name))
    .map((c) => pluginCommand(c, io)).filter((c) => !names.has(c.name));
  const spec: ProgramSpec = {
    name: "deltaflash",
    version: VERSION,
    description: "Flash firmware by writing only the blocks that changed.",
    globalOptions: GLOBAL_OPTIONS,
    commands: [...builtins, ...extra],
    epilog: EPILOG + (registry ? `\n${targetOptionsHelp(registry)}` : ""),
  };
  const completions: CommandSpec = {
    name: "completions",
    description: "print a shell completion script (bash, zsh or fish)",
    arguments: [{ name: "shell", description: SHELLS.join(" | ") }],
    examples: ["deltaflash completions bash > /etc/bash_completion.d/deltaflash"],
    run(args) {
      const shell = args[0] as Shell;
      if (!SHELLS.includes(shell)) {
        throw new UsageError(`unknown shell '${args[0]}'`, { hint: `use ${SHELLS.join(", ")}` });
      }
      const base = commandTree(spec);
      const tree = {
        ...base,
        optionValues: registry ? optionCompletions(registry) : [],
        values: [...(base.values ?? []), ...(registry ? valueCompletions(registry) : [])],
      };
      io.out(completionScript(shell, spec.name, tree).trimEnd());
      return Promise.resolve(0);
    },
  };
  return { ...spec, commands: [...spec.commands, completions] };
}

/** Whether `flag` is among the options (not after `--`). */
function hasFlag(argv: readonly string[], ...flags: string[]): boolean {
  const end = argv.indexOf("--");
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => flags.includes(a));
}

/** Runs the CLI and returns the exit code. Never throws. */
export async function main(argv: string[], base: CliIO): Promise<number> {
  const options = {
    verbose: hasFlag(argv, "-v", "--verbose"),
    json: hasFlag(argv, "--json"),
  };
  let errTo = base.err;
  const io: CliIO = {
    ...base,
    err: (line) => errTo(line),
    routeErr(to) {
      const before = errTo;
      errTo = to;
      return () => void (errTo = before);
    },
  };
  // First Ctrl-C: say so (through a live frame if one is drawn); runs stop between requests.
  base.signal?.addEventListener(
    "abort",
    () => io.err("stopping… (Ctrl-C again to quit at once)"),
    { once: true },
  );
  try {
    return await runProgram(await programSpec(io, argv), argv, {
      out: (t) => io.out(t.replace(/\n$/, "")),
      err: (t) => io.err(t.replace(/\n$/, "")),
    });
  } catch (e) {
    // Whatever surfaces after Ctrl-C (a cancelled read, a closed port) is the interruption.
    const interrupted = io.signal?.aborted && asDeltaflashError(e).exitCode !== EXIT_INTERRUPTED;
    return reportError(interrupted ? new AbortedError({ cause: e }) : e, io, options);
  }
}
