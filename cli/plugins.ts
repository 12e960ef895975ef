/**
 * Loads the built-in plugins and the project's own, so one broken plugin never takes the
 * CLI down with it.
 *
 * @module
 */
import { resolve } from "node:path";
import { toFileUrl } from "./paths.ts";
import { type HookName, PluginError, Registry, type StageWrapper } from "../kernel/mod.ts";
import { builtinPlugins } from "../plugins/builtin.ts";
import type { Config } from "./config.ts";
import { BUILTIN_COMMANDS } from "./builtin_commands.ts";

function moduleUrl(specifier: string): string {
  return specifier.startsWith("/") ? toFileUrl(specifier) : specifier;
}

/** True for specifiers that fetch code from the network. */
export function isRemoteSpecifier(specifier: string): boolean {
  return /^https?:/i.test(specifier);
}

/** Options of {@link buildRegistry}. */
export interface BuildOptions {
  /** `--allow-remote-plugins` was given. */
  readonly allowRemotePlugins?: boolean;
  /** Notices for the user (which remote URLs are loaded). */
  readonly notify?: (line: string) => void;
}

/** `p`, or a PluginError naming `specifier` once `ms` have passed. */
async function withTimeout<T>(p: Promise<T>, specifier: string, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  p.catch(() => {}); // a late rejection after the deadline is not an unhandled one
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new PluginError(specifier, `did not finish loading within ${ms} ms`, {
                hint: "its import never settled; fix it, or raise pluginTimeoutMs in the config",
              }),
            ),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Imports a user plugin module and turns its default export into a plugin. */
async function importPlugin(specifier: string, options: unknown, timeoutMs: number) {
  let mod: Record<string, unknown>;
  try {
    mod = await withTimeout(import(moduleUrl(specifier)), specifier, timeoutMs);
  } catch (e) {
    if (e instanceof PluginError) throw e;
    throw new PluginError(specifier, `cannot be imported: ${(e as Error).message.split("\n")[0]}`, {
      hint: "check the path in deltaflash.plugins (relative to the config file) or the npm: name",
    });
  }
  const factory = mod.default ?? mod.plugin;
  if (typeof factory !== "function") {
    throw new PluginError(
      specifier,
      "has no default export (expected (options) => (host) => void)",
    );
  }
  const plugin = factory(options);
  if (typeof plugin !== "function") {
    throw new PluginError(
      specifier,
      "default export did not return a plugin function (expected (options) => (host) => void)",
    );
  }
  return plugin;
}

/** Refuses a remote specifier without the opt-in; announces it with it. */
function checkRemote(specifier: string, config: Config, options: BuildOptions): void {
  if (!isRemoteSpecifier(specifier)) return;
  if (!options.allowRemotePlugins && !config.allowRemotePlugins) {
    throw new PluginError(specifier, "is a remote URL and was not loaded", {
      hint: "remote code runs with deltaflash's permissions; to load it anyway pass " +
        "--allow-remote-plugins or set allowRemotePlugins: true in the config",
    });
  }
  options.notify?.(`loading remote plugin ${specifier} (from ${config.file ?? "the config"})`);
}

/** Builds the registry: built-ins, then config plugins (failures recorded, not fatal). */
export async function buildRegistry(config: Config, options: BuildOptions = {}): Promise<Registry> {
  const registry = new Registry();
  for (const { specifier, plugin } of builtinPlugins()) await registry.use(plugin, specifier);
  const timeoutMs = config.pluginTimeoutMs;
  for (const { specifier, options: pluginOptions } of config.plugins) {
    try {
      checkRemote(specifier, config, options);
      const plugin = await importPlugin(specifier, pluginOptions, timeoutMs);
      await registry.use(plugin, specifier, { strict: false, timeoutMs });
    } catch (e) {
      const error = e instanceof PluginError ? e : new PluginError(specifier, String(e));
      registry.failures.push({ specifier, error });
    }
  }
  const stages = config.pipeline.stages ?? {};
  for (const [stage, spec] of Object.entries(stages)) {
    const specifier = String(spec);
    try {
      checkRemote(specifier, config, options);
      const local = specifier.startsWith(".") ? resolve(config.dir, specifier) : specifier;
      const mod = await withTimeout(import(moduleUrl(local)), specifier, timeoutMs);
      const wrapper = mod.default as StageWrapper<HookName>;
      if (typeof wrapper !== "function") throw new Error("default export is not (next) => stage");
      await registry.use(
        (host) => host.wrapStage(stage as HookName, wrapper),
        `pipeline.stages.${stage}`,
        false,
      );
    } catch (e) {
      registry.failures.push({
        specifier,
        error: e instanceof PluginError
          ? e
          : new PluginError(specifier, (e as Error).message.split("\n")[0]),
      });
    }
  }
  reportShadowedCommands(registry);
  return registry;
}

/** Plugin commands named like a built-in are never reachable: say so. */
function reportShadowedCommands(registry: Registry): void {
  for (const c of registry.commands()) {
    if (!BUILTIN_COMMANDS.includes(c.name)) continue;
    const owner = registry.loaded.find((p) => p.registered.includes(`command '${c.name}'`));
    const specifier = owner?.specifier ?? "a plugin";
    registry.failures.push({
      specifier,
      error: new PluginError(
        specifier,
        `command '${c.name}' is named like a built-in command and is not added`,
        { hint: "rename the plugin's command" },
      ),
    });
  }
}

/** Where each loaded plugin came from, for `targets -v`. */
export function pluginOrigin(specifier: string, config: Config): string {
  if (specifier.startsWith("builtin:")) return "built-in";
  if (specifier.startsWith("pipeline.stages.")) {
    return `stage wrapper from ${config.file ?? "config"}`;
  }
  const kind = isRemoteSpecifier(specifier)
    ? "remote URL"
    : /^(npm|jsr):/.test(specifier)
    ? "package"
    : "local file";
  return `${kind}, listed in ${config.file ?? "the config"}`;
}
