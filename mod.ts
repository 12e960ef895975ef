/**
 * deltaflash: a plugin-based firmware flasher that writes only what changed.
 *
 * ```ts ignore
 * import { createContext, createRegistry, flash } from "./mod.ts";
 * const registry = await createRegistry();
 * const result = await flash(registry, createContext(), {
 *   target: "esp32c3",
 *   inputs: [{ file: "app.bin", address: 0x10000 }],
 *   connect: { port: "sim:esp32c3" },
 * });
 * console.log(result.plan.totals);
 * ```
 *
 * ## Plugins
 *
 * A plugin is a function that receives the {@link PluginHost} and registers things; a plugin
 * with options is a factory `(options) => (host) => void`, and that factory is what a
 * plugin module exports by default (the CLI loads modules listed in `deltaflash.plugins` of
 * deno.json / deltaflash.json, by relative path or `npm:` specifier). Plugins import from
 * this module only. Registration is all-or-nothing: if a plugin throws while loading,
 * nothing it registered stays, and the failure is reported with the plugin's specifier while
 * the rest keeps working.
 *
 * | host method | registers | names must be |
 * | --- | --- | --- |
 * | `registerTarget(def)` | a {@link TargetDefinition} (`--target name`); its `hash` and `formats` must be registered already | unique with aliases, case-insensitive |
 * | `registerHash(algo)` | a {@link HashAlgorithm} the host digests with and devices compute by name | unique |
 * | `registerFormat(fmt)` | an {@link ImageFormat} (`detect`, `extensions`, `load`) | unique |
 * | `registerTransport(p)` | a {@link TransportProvider} for one `scheme` and `kind` (`serial`, `dap`, `gdb`) | unique per scheme and kind |
 * | `registerCommand(cmd)` | a {@link CliCommand} (`deltaflash <name> …`) | unique |
 * | `wrapStage(stage, w, scope?)` | a {@link StageWrapper} for all targets or `{ targets: [...] }` | — |
 *
 * `host.target(name)` returns a target registered earlier, so a board plugin can derive
 * its own target from a built-in chip (`{ ...host.target("esp32c3"), name: "my-board", … }`);
 * `host.openTransport(ctx, kind, address)` is how a target's `connect` reaches its device
 * without knowing whether the link is a USB port, a TCP bridge or a simulator, and
 * `host.transportKinds(address)` which kinds of link serve an address (the `probes` export's
 * `openProbe` picks CMSIS-DAP or GDB by it).
 *
 * ## Targets: typed device, typed options
 *
 * {@link defineTarget}`<D, O>` declares a target whose `connect` opens a device of type `D`
 * and whose options are `O`: every stage of the target receives that `D` (`args.device`,
 * the plan stage included), so a target never casts, patches or keeps module state to reach
 * its device. `options` is an {@link OptionSchema} ({@link defineOptions} with `option.choice`,
 * `option.boolean`, `option.number`, `option.size`, or any zod schema per key): the CLI's
 * `-O key=value` and config `deltaflash.options` are parsed with it before anything is
 * opened (an unknown key or a bad value is a {@link UsageError} naming the closest key or the
 * allowed values), and `targets -v`, `--help` and completions list it.
 *
 * ```ts ignore
 * const options = defineOptions({ clockHz: option.number({ min: 1, default: 4e6, description: "SWD clock" }) });
 * export default (extra: { note?: string } = {}): Plugin => (host) => {
 *   host.registerTarget(defineTarget({ name: "my-board", family: "demo", description: "…",
 *     link: "probe", hash: "crc32", options,
 *     layout: { regions: [{ name: "flash", start: 0, size: 0x10000, blockSize: 1024 }] },
 *     connect: (ctx, o) => MyDevice.open(ctx, host, o.probe, o.options.clockHz) }));
 *   host.wrapStage("verify", (next) => async (ctx, args) => {
 *     const report = await next(ctx, args);
 *     ctx.log.info(`verified ${report.blocks} blocks ${extra.note ?? ""}`);
 *     return report;
 *   }, { targets: ["my-board"] });
 * };
 * ```
 *
 * ## The lifecycle: loadImage → queryHashes → plan → write → verify
 *
 * {@link flash} runs the stages in that order with `connect` between loadImage and
 * queryHashes. Every stage is `async (ctx, args) => result`; `ctx` is the {@link RunContext}
 * (abort signal, clock, logger, `emit` for progress). Each stage may throw a
 * {@link DeltaflashError} subclass with a one-line message and a hint; the run stops there
 * and the device is closed. A run aborted through `ctx.signal` throws {@link AbortedError}.
 *
 * - **loadImage**(ctx, {@link LoadImageArgs}) → {@link FlashImage}. Receives the inputs
 *   (file, optional address and format, optional bytes), the target and the merged format
 *   options. Must return one image whose segments do not overlap. The default reads each
 *   file, picks the format (explicit, detected, extension) and merges; it throws
 *   {@link ImageFormatError}, {@link ImageOverlapError} or {@link UsageError} (raw binary
 *   without an address). No device is open yet: a wrapper may rewrite `args.inputs` (e.g.
 *   give raw images their partition's address) or check the image. After this stage the
 *   kernel checks that every byte lies in the connected device's layout
 *   ({@link ImageRangeError}).
 * - **queryHashes**(ctx, {@link QueryHashesArgs}) → {@link HashReport}. Receives the open
 *   {@link FlashDevice}, the image, the {@link HashAlgorithm}, the partial-block policy and
 *   the mode; it runs in `full` mode too (wrappers that check the image still run), where
 *   the default asks the device for no hashes and reports every block as changed.
 *   Must return one {@link BlockComparison} per block the image touches, in address order,
 *   with `same` true only when the device already holds the final bytes; for a partly
 *   covered block under `keep`, `content` carries the final block (image bytes over device
 *   bytes). The default asks `device.hash` once for all touched blocks and reads partial
 *   blocks back with `device.read`, throwing `E_PARTIAL` (a DeltaflashError with a hint)
 *   when the device cannot be read.
 * - **plan**(ctx, {@link PlanArgs}) → {@link Plan}. Receives the device (for its link
 *   figures), the image, the report, the device layout, the mode and the target's
 *   {@link CostModel}. Must return per-block
 *   decisions and block-aligned {@link WriteRun}s holding the complete final contents of
 *   every block to write (erased value where neither image nor device supplies bytes). Pure:
 *   it must not touch the device. The default is {@link planBlocks}.
 * - **write**(ctx, {@link WriteArgs}) → {@link WriteReport}. Receives the device and the
 *   plan. May assume runs are block-aligned, whole blocks, inside the layout, in address
 *   order. Must erase and program exactly the runs (the default calls `device.program` once)
 *   and should emit `progress` events (`stage: "write"`) and stop at `ctx.signal`. Throws
 *   {@link DeviceError} / {@link TimeoutError}; never reports success for bytes not written.
 * - **verify**(ctx, {@link VerifyArgs}) → {@link VerifyReport}. Receives the device, the plan
 *   and the algorithm. Must confirm that every written block holds the plan's bytes and
 *   throw {@link VerifyError} (listing the bad blocks) otherwise. The default re-hashes the
 *   written blocks on the device. Skipped when verify is off.
 *
 * ## Wrapping or replacing a stage
 *
 * A {@link StageWrapper} `(next) => stage` receives the stage below it and returns the new
 * one: call `next` to wrap, don't call it to replace. Stages compose as kernel default ←
 * the target's own `stages` ← plugin wrappers in registration order (the last registered is
 * outermost). `host.wrapStage("write", w, { targets: ["esp32c3"] })` applies to that
 * target only; without a scope it applies to all. Config can add one wrapper per stage
 * (`deltaflash.pipeline.stages`: a module whose default export is the wrapper).
 *
 * ## Devices
 *
 * A target's `connect(ctx, options)` opens a {@link FlashDevice}: `hash(ctx, algorithm,
 * ranges)` digests ranges on the device (whole blocks when `hashGranularity` is `block`),
 * `program(ctx, runs)` erases and programs whole blocks, optional `read`, `erase`, `reset`,
 * `monitor`, `stats`, and `close`. Simulated links account time with `ctx.clock.sleep`, so
 * runs on a {@link VirtualClock} report modelled durations. `testing.ts` (`./testing` export)
 * holds the conformance kit every target should pass.
 *
 * ## Package exports
 *
 * | export | what |
 * | --- | --- |
 * | `.` (this module) | the kernel and {@link createRegistry}; it loads no plugin or simulator itself |
 * | `./plugins` | the built-in plugins (`builtinPlugins()` and each on its own) |
 * | `./probes` | the debug-probe layers: CMSIS-DAP, GDB remote, the Cortex-M debug interface, `openProbe`/`openCortexM` |
 * | `./sim` | the simulators (ARMv6-M, DAPLink boards, ESP chips) and their `sim:` transports |
 * | `./testing` | the conformance kit |
 *
 * @module
 */
import { Registry } from "./kernel/mod.ts";

export * from "./kernel/mod.ts";
export { option, type OptionHelp } from "./kernel/option_kinds.ts";

/**
 * A registry with the built-in plugins loaded. They come from the package's `plugins` export
 * (`plugins/builtin.ts`), imported here on first use, so a plugin that imports this module
 * for the kernel's types loads nothing else; simulators load only when a `sim:` address is
 * opened.
 */
export async function createRegistry(): Promise<Registry> {
  const { builtinPlugins } = await import("./plugins/builtin.ts");
  const registry = new Registry();
  for (const { specifier, plugin } of builtinPlugins()) await registry.use(plugin, specifier);
  return registry;
}
