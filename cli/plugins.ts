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

function moduleUrl(specifier: string): string {
  return specifier.startsWith("/") ? toFileUrl(specifier) : specifier;
}

/** Imports a user plugin module and turns its default export into a plugin. */
async function importPlugin(specifier: string, options: unknown) {
  let mod: Record<string, unknown>;
  try {
    mod = await import(moduleUrl(specifier));
  } catch (e) {
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

/** Builds the registry: built-ins, then config plugins (failures recorded, not fatal). */
export async function buildRegistry(config: Config): Promise<Registry> {
  const registry = new Registry();
  for (const { specifier, plugin } of builtinPlugins()) await registry.use(plugin, specifier);
  for (const { specifier, options } of config.plugins) {
    try {
      await registry.use(await importPlugin(specifier, options), specifier, false);
    } catch (e) {
      const error = e instanceof PluginError ? e : new PluginError(specifier, String(e));
      registry.failures.push({ specifier, error });
    }
  }
  const stages = config.pipeline.stages ?? {};
  for (const [stage, spec] of Object.entries(stages)) {
    const specifier = String(spec);
    try {
      const local = specifier.startsWith(".") ? resolve(config.dir, specifier) : specifier;
      const mod = await import(moduleUrl(local));
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
        error: new PluginError(specifier, (e as Error).message.split("\n")[0]),
      });
    }
  }
  return registry;
}
