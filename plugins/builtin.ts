/**
 * The built-in plugins (the package's `plugins` export): every deltaflash run loads them
 * before the project's own; each is also exported on its own.
 *
 * @module
 */
import type { Plugin } from "../kernel/mod.ts";
import { formats } from "./formats/mod.ts";
import { hashes } from "./hash/mod.ts";
import { serial } from "./serial/mod.ts";
import { net } from "./net/mod.ts";
import { lazyDapSim, lazyEspSim } from "./sim.ts";
import { dapTransports } from "./hid/mod.ts";
import { nrfTargets } from "../targets/nrf/plugin.ts";
import { espTargets } from "../targets/esp/plugin.ts";
import { espImages } from "../targets/esp/images_plugin.ts";
import { gdbTransport } from "../probes/gdb/plugin.ts";

export {
  dapTransports,
  espImages,
  espTargets,
  formats,
  gdbTransport,
  hashes,
  net,
  nrfTargets,
  serial,
};

/** A plugin with the name it is reported under. */
export interface NamedPlugin {
  /** Specifier shown in errors and `targets -v`. */
  readonly specifier: string;
  /** The plugin. */
  readonly plugin: Plugin;
}

/** Built-in plugins in load order. */
export function builtinPlugins(): NamedPlugin[] {
  return [
    { specifier: "builtin:hashes", plugin: hashes() },
    { specifier: "builtin:formats", plugin: formats() },
    { specifier: "builtin:serial", plugin: serial() },
    { specifier: "builtin:net", plugin: net() },
    { specifier: "builtin:esp-sim", plugin: lazyEspSim() },
    { specifier: "builtin:dap-sim", plugin: lazyDapSim() },
    { specifier: "builtin:dap-transports", plugin: dapTransports() },
    { specifier: "builtin:nrf", plugin: nrfTargets() },
    { specifier: "builtin:esp-targets", plugin: espTargets() },
    { specifier: "builtin:esp-images", plugin: espImages() },
    { specifier: "builtin:gdb", plugin: gdbTransport() },
  ];
}
