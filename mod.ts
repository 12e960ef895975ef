/**
 * deltaflash: a plugin-based firmware flasher that writes only what changed.
 *
 * ```ts
 * import { createRegistry, createContext, flash } from "./mod.ts";
 * const registry = await createRegistry();
 * const result = await flash(registry, createContext(), {
 *   target: "esp32c3",
 *   inputs: [{ file: "app.bin", address: 0x10000 }],
 *   connect: { port: "sim:esp32c3" },
 * });
 * console.log(result.plan.totals);
 * ```
 *
 * @module
 */
import { Registry } from "./kernel/mod.ts";
import { builtinPlugins } from "./plugins/builtin.ts";

export * from "./kernel/mod.ts";

/** A registry with the built-in plugins loaded. */
export async function createRegistry(): Promise<Registry> {
  const registry = new Registry();
  for (const { specifier, plugin } of builtinPlugins()) await registry.use(plugin, specifier);
  return registry;
}
