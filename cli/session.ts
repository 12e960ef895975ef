/**
 * What every command needs: config, registry, a run context and output helpers.
 *
 * @module
 */
import {
  createContext,
  type FlashEvent,
  type Logger,
  PacedClock,
  type PluginFailure,
  printableLines,
  type Registry,
  type RunContext,
  UsageError,
  VirtualClock,
} from "../kernel/mod.ts";
import { type Config, loadConfig } from "./config.ts";
import { buildRegistry } from "./plugins.ts";

/** Output channels of the CLI. */
export interface CliIO {
  /** A line to stdout. */
  out(line: string): void;
  /** A line to stderr. */
  err(line: string): void;
  /** True when stdout is a terminal. */
  readonly isTerminal: boolean;
  /** Raw text to the progress stream (stderr); live redraws need it. */
  readonly raw?: (text: string) => void;
  /** Terminal width when known. */
  readonly columns?: () => number | undefined;
  /** Aborted when the user presses Ctrl-C: runs stop between requests. */
  readonly signal?: AbortSignal;
  /**
   * Sends `err` lines to `to` until the returned function is called (a live progress frame
   * prints them above itself instead of through it).
   */
  readonly routeErr?: (to: (line: string) => void) => () => void;
  /**
   * Folder for flash records: absent means the user's cache folder, null keeps none (tests
   * that must not see records of other runs).
   */
  readonly recordDir?: string | null;
}

/** Global options every command accepts. */
export interface GlobalOptions {
  config?: string;
  target?: string;
  chip?: string;
  before?: string;
  after?: string;
  /** False with `--no-stub`. */
  stub?: boolean;
  speed?: string;
  port?: string | string[];
  probe?: string | string[];
  baud?: string;
  json?: boolean;
  verbose?: boolean;
  realtime?: boolean;
  option?: string[];
  /** `--allow-remote-plugins`: load `http(s)://` plugins listed in the config. */
  allowRemotePlugins?: boolean;
}

/** A loaded CLI session. */
export interface Session {
  /** Project config. */
  readonly config: Config;
  /** Registry with built-in and project plugins. */
  readonly registry: Registry;
  /** Global options. */
  readonly options: GlobalOptions;
  /** Output. */
  readonly io: CliIO;
}

/** Loads config and plugins, and reports plugins that failed (the CLI goes on). */
export async function openSession(options: GlobalOptions, io: CliIO): Promise<Session> {
  const config = await loadConfig(Deno.cwd(), options.config);
  const registry = await buildRegistry(config, {
    allowRemotePlugins: options.allowRemotePlugins,
    notify: (line) => io.err(printableLines(line)),
  });
  const warn = (f: PluginFailure) => {
    const hint = f.error.hint ? `\n  hint: ${printableLines(f.error.hint)}` : "";
    io.err(`warning: ${printableLines(f.error.message)}${hint}`);
  };
  registry.failures.forEach(warn);
  registry.onLateFailure = warn;
  return { config, registry, options, io };
}

const list = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

/** Expands `*` and `?` in the last path component of device paths (not in URLs or sim:). */
export function expandGlob(address: string): string[] {
  if (!/[*?]/.test(address) || /^[a-z][a-z0-9+.-]*:/i.test(address)) return [address];
  const slash = address.lastIndexOf("/");
  const dir = slash >= 0 ? address.slice(0, slash) || "/" : ".";
  const pattern = new RegExp(
    "^" + address.slice(slash + 1).replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")
      .replace(/\?/g, ".") +
      "$",
  );
  try {
    return [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => pattern.test(n)).sort()
      .map((n) => (dir === "/" ? "/" : `${dir}/`) + n);
  } catch {
    return [];
  }
}

/** Resolved connection settings (flags override config). */
export function connection(s: Session) {
  const o = s.options;
  const baud = o.baud !== undefined ? Number(o.baud) : s.config.baud;
  if (baud !== undefined && (!Number.isInteger(baud) || baud <= 0)) {
    throw new UsageError(`bad baud rate '${o.baud}'`, { hint: "use a number such as 921600" });
  }
  const ports = list(o.port ?? s.config.port).flatMap(expandGlob);
  const probes = list(o.probe ?? s.config.probe).flatMap(expandGlob);
  if ((o.port !== undefined || o.probe !== undefined) && !ports.length && !probes.length) {
    throw new UsageError(`no device matches ${list(o.port ?? o.probe).join(", ")}`, {
      hint: "check the path or pattern (e.g. '/dev/ttyUSB*')",
    });
  }
  if (o.target && o.chip && o.target !== o.chip) {
    throw new UsageError(`--target ${o.target} and --chip ${o.chip} disagree`, {
      hint: "give one of them",
    });
  }
  return {
    target: o.target ?? o.chip ?? s.config.target,
    port: ports[0],
    probe: probes[0],
    ports,
    probes,
    baud,
  };
}

/** Parses `-O key=value` flags; values become numbers or booleans where they look like them. */
export function targetOptions(flags: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of flags) {
    const eq = f.indexOf("=");
    if (eq <= 0) throw new UsageError(`bad option '${f}'`, { hint: "write it as -O key=value" });
    const raw = f.slice(eq + 1);
    out[f.slice(0, eq)] = raw === "true"
      ? true
      : raw === "false"
      ? false
      : /^(0x[0-9a-f]+|\d+)$/i.test(raw)
      ? Number(raw)
      : raw;
  }
  return out;
}

/** esptool's `--before` values (with `-` or `_`) that ESP targets implement. */
export const RESET_BEFORE = ["default_reset", "default-reset", "no_reset", "no-reset"];
/** esptool's `--after` values (with `-` or `_`) that ESP targets implement. */
export const RESET_AFTER = [
  "hard_reset",
  "hard-reset",
  "no_reset",
  "no-reset",
  "no_reset_stub",
  "no-reset-stub",
  "no_reset_no_stub",
  "no-reset-no-stub",
];

/**
 * Target options spelled as flags (`--before`, `--after`, `--no-stub` for serial targets,
 * `--speed` for probes), mapped onto the target's own option names; a flag the link cannot
 * use is an error rather than silently ignored.
 */
export function flagOptions(o: GlobalOptions, link: "serial" | "probe"): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const serialOnly = (flag: string) => {
    if (link !== "serial") {
      throw new UsageError(`${flag} applies to ESP targets on a serial port`, {
        hint: "drop it for probe targets",
      });
    }
  };
  // The target's option schema takes esptool's spellings and checks the values.
  if (o.before !== undefined) serialOnly("--before"), out.before = o.before;
  if (o.after !== undefined) serialOnly("--after"), out.after = o.after;
  if (o.stub === false) serialOnly("--no-stub"), out.stub = false;
  if (o.speed !== undefined) {
    if (link !== "probe") {
      throw new UsageError("--speed sets the SWD clock of a debug probe", {
        hint: "for serial targets use --baud",
      });
    }
    const khz = Number(o.speed);
    if (!Number.isFinite(khz) || khz <= 0) {
      throw new UsageError(`bad --speed '${o.speed}'`, { hint: "the SWD clock in kHz, e.g. 4000" });
    }
    out.swdClockHz = Math.round(khz * 1000);
  }
  return out;
}

/**
 * Connect options for a target: flags, options `implied` by the images (a build folder's
 * esptool arguments) and config, and for a serial target with no port,
 * `serial:auto` (the one attached port whose USB bridge suits the target, else a list).
 */
export function connectOptions(
  s: Session,
  link: "serial" | "probe",
  implied: Record<string, unknown> = {},
) {
  const c = connection(s);
  return {
    port: c.port ?? (link === "serial" && !c.probe ? "serial:auto" : undefined),
    probe: c.probe,
    baud: c.baud,
    options: {
      ...s.config.options,
      ...implied,
      ...targetOptions(s.options.option),
      ...flagOptions(s.options, link),
    },
  };
}

/** The target name, or a usage error saying how to give one. */
export function requireTarget(s: Session): string {
  const t = connection(s).target;
  if (!t) {
    throw new UsageError("no target given", {
      hint: `pass --target (one of: ${
        s.registry.targets().map((x) => x.name).join(", ") || "none loaded"
      }) or set deltaflash.target in deno.json`,
    });
  }
  return t;
}

/** The CLI's logger: debug lines only with -v, info lines not with --json. */
export function sessionLogger(s: Session): Logger {
  return {
    debug: (m) => s.options.verbose && s.io.err(m),
    info: (m) => !s.options.json && s.io.err(m),
    warn: (m) => s.io.err(`warning: ${m}`),
  };
}

/** A run context: virtual time for simulated devices unless --realtime. */
export function runContext(
  s: Session,
  onEvent?: (e: FlashEvent) => void,
  signal?: AbortSignal,
): RunContext {
  const c = connection(s);
  const simulated = [...c.ports, ...c.probes].some((a) => a.startsWith("sim:"));
  return createContext({
    clock: simulated ? (s.options.realtime ? new PacedClock() : new VirtualClock()) : undefined,
    log: sessionLogger(s),
    onEvent,
    signal: signal ?? s.io.signal,
  });
}
