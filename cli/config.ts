/**
 * Project configuration: a `deltaflash` key in deno.json, or deltaflash.json / .jsonc beside it.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { parse as parseJsonc, type ParseError, printParseErrorCode } from "jsonc-parser";
import { z } from "zod";
import { ConfigError, type ImageInput, parseImageSpec } from "../kernel/mod.ts";

const address = z.union([
  z.number().int().nonnegative(),
  z.string().regex(/^(0x[0-9a-fA-F]+|\d+)$/, "expected a number or a hex string like 0x10000"),
]).transform((v) => Number(v)).refine((n) => n <= 0xffffffff, {
  message: "address is beyond the 32-bit address space (0 to 0xffffffff)",
});

const imageEntry = z.union([
  z.string().min(1),
  z.object({
    file: z.string().min(1),
    address: address.optional(),
    format: z.string().optional(),
  }).strict(),
]);

const pluginEntry = z.union([
  z.string().min(1),
  z.object({ specifier: z.string().min(1), options: z.unknown().optional() }).strict(),
]);

/** Schema of the `deltaflash` configuration object. */
export const configSchema = z.object({
  target: z.string().optional(),
  port: z.string().optional(),
  probe: z.string().optional(),
  baud: z.number().int().positive().optional(),
  board: z.string().optional(),
  bootloader: z.string().min(1).optional(),
  partitionTable: z.string().min(1).optional(),
  images: z.array(imageEntry).optional(),
  plugins: z.array(pluginEntry).optional(),
  allowRemotePlugins: z.boolean().optional(),
  pluginTimeoutMs: z.number().int().positive().max(600_000).optional(),
  options: z.record(z.string(), z.unknown()).optional(),
  pipeline: z.object({
    mode: z.enum(["diff", "full"]).optional(),
    partialBlocks: z.enum(["keep", "fill"]).optional(),
    hash: z.string().optional(),
    verify: z.boolean().optional(),
    stages: z.record(
      z.enum(["loadImage", "queryHashes", "plan", "write", "verify"]),
      z.string(),
    ).optional(),
  }).strict().optional(),
}).strict();

/** How long a plugin may take to import and register by default. */
export const DEFAULT_PLUGIN_TIMEOUT_MS = 5000;

/** A validated configuration with paths resolved against its file. */
export interface Config {
  /** File the config came from, if any. */
  readonly file?: string;
  /** Directory relative paths are resolved against. */
  readonly dir: string;
  /** Default target. */
  readonly target?: string;
  /** Default serial port. */
  readonly port?: string;
  /** Default probe. */
  readonly probe?: string;
  /** Default baud rate. */
  readonly baud?: number;
  /** Universal Hex board (`v1`, `v2`, id). */
  readonly board?: string;
  /** Default images. */
  readonly images: ImageInput[];
  /** ESP: bootloader flashed with an ELF or app image (at the chip's bootloader offset). */
  readonly bootloader?: string;
  /** ESP: partition table (CSV or binary) flashed with an ELF or app image (at 0x8000). */
  readonly partitionTable?: string;
  /** Plugins may be `http(s)://` URLs (otherwise only with `--allow-remote-plugins`). */
  readonly allowRemotePlugins: boolean;
  /** Longest a plugin may take to import and register, in ms. */
  readonly pluginTimeoutMs: number;
  /** Plugins to load, with options. */
  readonly plugins: { specifier: string; options?: unknown }[];
  /** Target options. */
  readonly options: Record<string, unknown>;
  /** Pipeline settings. */
  readonly pipeline: NonNullable<z.infer<typeof configSchema>["pipeline"]>;
}

const CANDIDATES = ["deltaflash.json", "deltaflash.jsonc", "deno.json", "deno.jsonc"];

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** Files and folders that mark a project's root folder (as Deno and npm see it). */
const PROJECT_MARKERS = [...CANDIDATES, "package.json", ".git"];

async function present(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Refuses a config file someone else could have planted (theirs, in a folder anyone writes). */
async function checkPlanted(file: string): Promise<void> {
  const uid = Deno.uid();
  if (uid === null) return;
  const [f, d] = await Promise.all([Deno.stat(file), Deno.stat(dirname(file))]);
  if (f.uid !== uid && d.mode !== null && (d.mode & 0o002) !== 0) {
    throw new ConfigError(
      `${file} belongs to another user and sits in a folder anyone can write to; not loading it`,
      { hint: "move the project out of the shared folder, or pass --config to use that file" },
    );
  }
}

/**
 * Finds the config file: an explicit path, else the project's. The project root is the
 * nearest folder upward (not above the home folder) with a deno.json(c), deltaflash.json(c),
 * package.json or .git; only its own config is used, never one further up.
 */
export async function findConfig(start: string, explicit?: string): Promise<string | undefined> {
  if (explicit) {
    const p = resolve(start, explicit);
    if (!(await exists(p))) {
      throw new ConfigError(`config file not found: ${explicit}`, {
        hint: "pass --config with a path to deno.json or deltaflash.json",
      });
    }
    return p;
  }
  const home = Deno.env.get("HOME");
  let dir = resolve(start);
  while (true) {
    if (await hasAny(dir, PROJECT_MARKERS)) return await projectConfig(dir);
    const up = dirname(dir);
    if (up === dir || (home && resolve(home) === dir)) return undefined;
    dir = up;
  }
}

async function hasAny(dir: string, names: readonly string[]): Promise<boolean> {
  for (const name of names) if (await present(join(dir, name))) return true;
  return false;
}

/** The config of the project rooted at `dir`, if it has one. */
async function projectConfig(dir: string): Promise<string | undefined> {
  for (const name of CANDIDATES) {
    const p = join(dir, name);
    if (!(await exists(p))) continue;
    if (!name.startsWith("deltaflash")) {
      const raw = parseText(await Deno.readTextFile(p), p);
      if (!(raw && typeof raw === "object" && "deltaflash" in raw)) continue;
    }
    await checkPlanted(p);
    return p;
  }
  return undefined;
}

/** Deepest nesting of arrays and objects accepted in a config file. */
export const MAX_CONFIG_DEPTH = 64;

/** Deepest `[`/`{` nesting outside strings and comments (before parsing, which recurses). */
function nestingDepth(text: string): { depth: number; offset: number } {
  let depth = 0, max = 0, at = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 1;
    } else if (c === "[" || c === "{") {
      if (++depth > max) [max, at] = [depth, i];
    } else if (c === "]" || c === "}") depth--;
  }
  return { depth: max, offset: at };
}

function parseText(text: string, file: string): unknown {
  const nesting = nestingDepth(text);
  if (nesting.depth > MAX_CONFIG_DEPTH) {
    const line = text.slice(0, nesting.offset).split("\n").length;
    throw new ConfigError(
      `${file}:${line}: nested more than ${MAX_CONFIG_DEPTH} levels deep`,
      { hint: "a deltaflash configuration is a few levels deep; check the file" },
    );
  }
  const errors: ParseError[] = [];
  const value = parseJsonc(text, errors, { allowTrailingComma: true });
  if (errors.length) {
    const e = errors[0];
    const line = text.slice(0, e.offset).split("\n").length;
    throw new ConfigError(`${file}:${line}: ${printParseErrorCode(e.error)}`, {
      hint: "fix the JSON syntax at that line",
    });
  }
  return value;
}

/** Validates a raw config object; errors name the bad key path. */
export function validateConfig(raw: unknown, file: string | undefined, dir: string): Config {
  const prefix = file && /deno\.jsonc?$/.test(file) ? "deltaflash" : "";
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) {
    // Every problem at once, so one edit fixes the file.
    const problems = result.error.issues.map((issue) => {
      const path = [prefix, ...issue.path.map((p) => typeof p === "number" ? `[${p}]` : String(p))]
        .filter(Boolean).join(".").replace(/\.\[/g, "[");
      return { path, text: `${path || "(root)"}: ${issue.message}` };
    });
    const where = file ?? "config";
    throw new ConfigError(
      problems.length === 1
        ? `${where}: ${problems[0].text}`
        : `${where}: ${problems.length} problems: ${problems.map((p) => p.text).join("; ")}`,
      { path: problems[0].path, hint: "see the configuration section of README.md" },
    );
  }
  const c = result.data;
  const images: ImageInput[] = (c.images ?? []).map((i) => {
    const input = typeof i === "string" ? parseImageSpec(i) : i;
    return { ...input, file: resolve(dir, input.file) };
  });
  const plugins = (c.plugins ?? []).map((p) => {
    const entry = typeof p === "string" ? { specifier: p } : p;
    const s = entry.specifier;
    const local = s.startsWith("./") || s.startsWith("../") || s.startsWith("/");
    return { ...entry, specifier: local ? resolve(dir, s) : s };
  });
  return {
    file,
    dir,
    target: c.target,
    port: c.port,
    probe: c.probe,
    baud: c.baud,
    board: c.board,
    bootloader: c.bootloader === undefined ? undefined : resolve(dir, c.bootloader),
    partitionTable: c.partitionTable === undefined ? undefined : resolve(dir, c.partitionTable),
    images,
    plugins,
    allowRemotePlugins: c.allowRemotePlugins ?? false,
    pluginTimeoutMs: c.pluginTimeoutMs ?? DEFAULT_PLUGIN_TIMEOUT_MS,
    options: c.options ?? {},
    pipeline: c.pipeline ?? {},
  };
}

/** Loads and validates the project config (an empty config when none exists). */
export async function loadConfig(cwd: string, explicit?: string): Promise<Config> {
  const file = await findConfig(cwd, explicit);
  if (!file) return validateConfig({}, undefined, cwd);
  const raw = parseText(await Deno.readTextFile(file), file) as Record<string, unknown> | null;
  // deltaflash.json holds the settings themselves, or (pasted from a deno.json) under the key.
  const wrapped = raw && Object.keys(raw).length === 1 && typeof raw.deltaflash === "object";
  const section = /deno\.jsonc?$/.test(file) || wrapped ? raw?.deltaflash : raw;
  return validateConfig(section, file, dirname(file));
}
