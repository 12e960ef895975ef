/**
 * The registry: where plugins put targets, hashes, formats, transports, commands and stage
 * wrappers, and where the pipeline looks them up.
 *
 * @module
 */
import type { RunContext } from "./context.ts";
import { DeltaflashError, NotFoundError, PluginError } from "./errors.ts";
import type { ImageFormat } from "./format.ts";
import type { HashAlgorithm } from "./hash.ts";
import type { CliCommand, Plugin, PluginHost, WrapScope } from "./plugin.ts";
import type { HookName, StageOverrides, StageWrapper } from "./stages.ts";
import type { FlashDevice } from "./device.ts";
import { type AnyOptions, NO_OPTIONS } from "./options.ts";
import type { Target, TargetDefinition, TargetDetector } from "./target.ts";
import {
  type OpenOptions,
  schemeOf,
  type TransportKind,
  type TransportKinds,
  type TransportProvider,
} from "./transport.ts";

function timedOut(specifier: string, ms: number): PluginError {
  return new PluginError(specifier, `did not finish loading within ${ms} ms`, {
    hint: "the plugin's function never settled; fix it, or raise pluginTimeoutMs in the config",
  });
}

/** Version of the plugin API this kernel implements. */
export const API_VERSION = "1.0";

interface WrapperEntry {
  stage: HookName;
  wrapper: StageWrapper<HookName>;
  scope?: WrapScope;
  owner: string;
}

interface Snapshot {
  targets: Map<string, Target>;
  aliases: Map<string, string>;
  hashes: Map<string, HashAlgorithm>;
  formats: Map<string, ImageFormat>;
  transports: Map<string, TransportProvider>;
  commands: Map<string, CliCommand>;
  detectors: Map<string, TargetDetector>;
  wrappers: number;
}

/** A plugin that failed to load; the rest of the registry still works. */
export interface PluginFailure {
  /** Specifier or name of the plugin. */
  readonly specifier: string;
  /** Why it failed. */
  readonly error: DeltaflashError;
}

/** Options of {@link Registry.use}. */
export interface UseOptions {
  /** Rethrow a failure after recording it (default true). */
  readonly strict?: boolean;
  /**
   * Longest wait for the plugin function to settle, in ms (none when absent). A plugin that
   * takes longer fails like one that throws: nothing it registered stays.
   */
  readonly timeoutMs?: number;
}

/** A plugin that loaded, with what it registered (for `targets -v`). */
export interface LoadedPlugin {
  /** Specifier or name of the plugin. */
  readonly specifier: string;
  /** What it registered, e.g. `target esp32`, `format ihex`. */
  readonly registered: readonly string[];
}

/** Holds everything plugins registered. */
export class Registry implements PluginHost {
  /** Kernel API version (see {@link API_VERSION}). */
  readonly apiVersion: string = API_VERSION;
  readonly #targets = new Map<string, Target>();
  readonly #aliases = new Map<string, string>();
  readonly #hashes = new Map<string, HashAlgorithm>();
  readonly #formats = new Map<string, ImageFormat>();
  readonly #transports = new Map<string, TransportProvider>();
  readonly #commands = new Map<string, CliCommand>();
  readonly #detectors = new Map<string, TargetDetector>();
  readonly #wrappers: WrapperEntry[] = [];
  /** Plugins that failed to load, and plugins that tried to register after loading. */
  readonly failures: PluginFailure[] = [];
  /** Plugins that loaded, in load order, with what each registered. */
  readonly loaded: LoadedPlugin[] = [];
  /** Called with each failure recorded after loading (a late registration), if set. */
  onLateFailure: ((failure: PluginFailure) => void) | undefined;
  #owner = "kernel";
  #registered: string[] = [];

  /**
   * Runs a plugin. Registrations are all-or-nothing: if the plugin throws or does not settle
   * within `timeoutMs`, nothing it registered stays, the failure is recorded and, when
   * `strict`, rethrown. The plugin gets a host that only accepts registrations while it
   * loads: one made later (from a timer, a forgotten promise) is refused and recorded.
   */
  async use(
    plugin: Plugin,
    specifier = plugin.name || "anonymous",
    options: boolean | UseOptions = {},
  ): Promise<void> {
    const { strict = true, timeoutMs } = typeof options === "boolean"
      ? { strict: options }
      : options;
    const snapshot = this.#snapshot();
    const prevOwner = this.#owner, prevRegistered = this.#registered;
    this.#owner = specifier;
    this.#registered = [];
    const scope = { open: true };
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      if (typeof plugin !== "function") {
        throw new PluginError(specifier, "is not a function (expected (host) => void)");
      }
      const run = Promise.resolve(plugin(this.#scopedHost(specifier, scope)));
      if (timeoutMs === undefined) await run;
      else {
        run.catch(() => {}); // settles after the deadline: ignored, its host is closed
        await Promise.race([
          run,
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(timedOut(specifier, timeoutMs)), timeoutMs);
          }),
        ]);
      }
      this.loaded.push({ specifier, registered: this.#registered });
    } catch (e) {
      this.#restore(snapshot);
      const err = e instanceof PluginError ? e : new PluginError(
        specifier,
        e instanceof Error ? e.message : String(e),
        { cause: e },
      );
      this.failures.push({ specifier, error: err });
      if (strict) throw err;
    } finally {
      clearTimeout(timer);
      scope.open = false;
      this.#owner = prevOwner;
      this.#registered = prevRegistered;
    }
  }

  /** The host one plugin sees: registrations pass while it loads, later ones are refused. */
  #scopedHost(specifier: string, scope: { open: boolean }): PluginHost {
    const gate = <A extends unknown[]>(what: string, f: (...a: A) => void) => (...a: A) => {
      if (scope.open) return f(...a);
      const failure = {
        specifier,
        error: new PluginError(
          specifier,
          `tried to register ${what} after it finished loading; ignored`,
          { hint: "a plugin must register everything before its function returns (or settles)" },
        ),
      };
      this.failures.push(failure);
      this.onLateFailure?.(failure);
    };
    const name = (x: unknown) =>
      typeof (x as { name?: unknown })?.name === "string"
        ? ` '${(x as { name: string }).name}'`
        : "";
    return {
      apiVersion: this.apiVersion,
      registerTarget: gate("a target", (t) => {
        this.registerTarget(t);
        this.#registered.push(`target${name(t)}`);
      }),
      registerHash: gate("a hash algorithm", (h) => {
        this.registerHash(h);
        this.#registered.push(`hash${name(h)}`);
      }),
      registerFormat: gate("an image format", (f) => {
        this.registerFormat(f);
        this.#registered.push(`format${name(f)}`);
      }),
      registerTransport: gate("a transport", (t) => {
        this.registerTransport(t);
        this.#registered.push(`transport ${t.kind}:${t.scheme}`);
      }),
      registerCommand: gate("a command", (c) => {
        this.registerCommand(c);
        this.#registered.push(`command${name(c)}`);
      }),
      registerDetector: gate("a detector", (d) => {
        this.registerDetector(d);
        this.#registered.push(`detector${name(d)}`);
      }),
      wrapStage: gate("a stage wrapper", (stage, wrapper, wrapScope) => {
        this.wrapStage(stage, wrapper, wrapScope);
        this.#registered.push(`stage wrapper ${stage}`);
      }),
      openTransport: (ctx, kind, address, options) =>
        this.openTransport(ctx, kind, address, options),
      transportKinds: (address) => this.transportKinds(address),
      target: (n) => this.target(n),
    };
  }

  registerTarget<D extends FlashDevice, O extends AnyOptions>(
    target: TargetDefinition<D, O>,
  ): void {
    if (!target || typeof target.name !== "string" || typeof target.connect !== "function") {
      throw new PluginError(this.#owner, "registerTarget needs { name, connect, layout, … }");
    }
    if (!target.layout?.regions?.length) {
      throw new PluginError(this.#owner, `target '${target.name}' has no flash regions`);
    }
    for (const n of [target.name, ...(target.aliases ?? [])]) {
      const key = n.toLowerCase();
      if (this.#targets.has(key) || this.#aliases.has(key)) {
        throw new PluginError(this.#owner, `target name '${n}' is already registered`);
      }
    }
    // Names are checked now, so a typo is reported against this plugin, not at flash time.
    this.#known(this.#hashes, target.hash, `target '${target.name}' hashes with`, "hash algorithm");
    for (const f of target.formats ?? []) {
      this.#known(this.#formats, f, `target '${target.name}' reads`, "image format");
    }
    const registered = bind(target);
    this.#targets.set(target.name.toLowerCase(), registered);
    for (const a of target.aliases ?? []) this.#aliases.set(a.toLowerCase(), target.name);
  }

  registerHash(hash: HashAlgorithm): void {
    this.#unique(this.#hashes, hash?.name, "hash algorithm");
    this.#hashes.set(hash.name, hash);
  }

  registerFormat(format: ImageFormat): void {
    this.#unique(this.#formats, format?.name, "image format");
    this.#formats.set(format.name, format);
  }

  registerTransport<K extends TransportKind>(provider: TransportProvider<K>): void {
    const key = `${provider?.kind}:${provider?.scheme}`;
    if (this.#transports.has(key)) {
      throw new PluginError(this.#owner, `transport ${key} is already registered`);
    }
    this.#transports.set(key, provider as unknown as TransportProvider);
  }

  registerCommand(command: CliCommand): void {
    this.#unique(this.#commands, command?.name, "command");
    this.#commands.set(command.name, command);
  }

  registerDetector(detector: TargetDetector): void {
    if (typeof detector?.detect !== "function") {
      throw new PluginError(this.#owner, "registerDetector needs { name, link, detect }");
    }
    this.#unique(this.#detectors, detector.name, "detector");
    this.#detectors.set(detector.name, detector);
  }

  wrapStage<K extends HookName>(stage: K, wrapper: StageWrapper<K>, scope?: WrapScope): void {
    if (typeof wrapper !== "function") {
      throw new PluginError(this.#owner, `wrapStage('${stage}') needs a function`);
    }
    this.#wrappers.push({
      stage,
      wrapper: wrapper as unknown as StageWrapper<HookName>,
      scope,
      owner: this.#owner,
    });
  }

  /** A target by name or alias (case-insensitive). */
  target(name: string): Target {
    const key = name.toLowerCase();
    const t = this.#targets.get(key) ??
      this.#targets.get(this.#aliases.get(key)?.toLowerCase() ?? "");
    if (!t) throw new NotFoundError("target", name, this.targets().map((x) => x.name));
    return t;
  }

  /** All targets, sorted by name. */
  targets(): Target[] {
    return [...this.#targets.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** A hash algorithm by name. */
  hash(name: string): HashAlgorithm {
    const h = this.#hashes.get(name);
    if (!h) throw new NotFoundError("hash algorithm", name, [...this.#hashes.keys()]);
    return h;
  }

  /** All hash algorithms. */
  hashes(): HashAlgorithm[] {
    return [...this.#hashes.values()];
  }

  /** A format by name. */
  format(name: string): ImageFormat {
    const f = this.#formats.get(name);
    if (!f) throw new NotFoundError("image format", name, [...this.#formats.keys()]);
    return f;
  }

  /** All formats. */
  formats(): ImageFormat[] {
    return [...this.#formats.values()];
  }

  /** All transports. */
  transports(): TransportProvider[] {
    return [...this.#transports.values()];
  }

  /** Target detectors, for a link kind or all. */
  detectors(link?: "serial" | "probe"): TargetDetector[] {
    return [...this.#detectors.values()].filter((d) => !link || d.link === link);
  }

  /** Plugin commands. */
  commands(): CliCommand[] {
    return [...this.#commands.values()];
  }

  /** Stage wrappers registered for `target`, in registration order. */
  wrappersFor(target: string): { stage: HookName; wrapper: StageWrapper<HookName> }[] {
    return this.#wrappers.filter((w) =>
      !w.scope?.targets || w.scope.targets.some((t) => t.toLowerCase() === target.toLowerCase())
    );
  }

  /** The kinds of link registered for the scheme of `address`, in registration order. */
  transportKinds(address: string): TransportKind[] {
    const scheme = schemeOf(address);
    return this.transports().filter((t) => t.scheme === scheme).map((t) => t.kind);
  }

  /** Opens a link of `kind` for `address` through the provider of its scheme. */
  openTransport<K extends TransportKind>(
    ctx: RunContext,
    kind: K,
    address: string,
    options: OpenOptions = {},
  ): Promise<TransportKinds[K]> {
    const scheme = schemeOf(address);
    const p = this.#transports.get(`${kind}:${scheme}`) as TransportProvider<K> | undefined;
    if (!p) {
      const known = this.transports().filter((t) => t.kind === kind).map((t) => `${t.scheme}:`);
      throw new NotFoundError(`${kind} transport`, `${scheme}:`, known, {
        hint: known.length
          ? `use one of: ${known.join(", ")}`
          : `no ${kind} transport plugin is loaded`,
      });
    }
    return p.open(ctx, address, options);
  }

  #known(map: Map<string, unknown>, name: unknown, what: string, kind: string): void {
    if (typeof name === "string" && map.has(name)) return;
    throw new PluginError(this.#owner, `${what} unknown ${kind} '${String(name)}'`, {
      hint: `known: ${
        [...map.keys()].join(", ") || "none"
      } (a plugin providing it must load first)`,
    });
  }

  #unique(map: Map<string, unknown>, name: unknown, kind: string): void {
    if (typeof name !== "string" || !name) {
      throw new PluginError(this.#owner, `${kind} needs a name`);
    }
    if (map.has(name)) {
      throw new PluginError(this.#owner, `${kind} '${name}' is already registered`);
    }
  }

  #snapshot(): Snapshot {
    return {
      targets: new Map(this.#targets),
      aliases: new Map(this.#aliases),
      hashes: new Map(this.#hashes),
      formats: new Map(this.#formats),
      transports: new Map(this.#transports),
      commands: new Map(this.#commands),
      detectors: new Map(this.#detectors),
      wrappers: this.#wrappers.length,
    };
  }

  #restore(s: Snapshot): void {
    const copy = <K, V>(dst: Map<K, V>, src: Map<K, V>) => {
      dst.clear();
      for (const [k, v] of src) dst.set(k, v);
    };
    copy(this.#targets, s.targets);
    copy(this.#aliases, s.aliases);
    copy(this.#hashes, s.hashes);
    copy(this.#formats, s.formats);
    copy(this.#transports, s.transports);
    copy(this.#commands, s.commands);
    copy(this.#detectors, s.detectors);
    this.#wrappers.length = s.wrappers;
  }
}

/**
 * The registered form of a target: options parsed by its schema before `connect`, device type
 * erased (the stages only ever see the device this target's own `connect` opened).
 */
function bind<D extends FlashDevice, O extends AnyOptions>(def: TargetDefinition<D, O>): Target {
  const parseOptions = (raw: Readonly<Record<string, unknown>> | undefined): O =>
    def.options ? def.options.parse(raw, def.name) : NO_OPTIONS.parse(raw, def.name) as O;
  const { connect: _connect, stages, ...rest } = def;
  return {
    ...rest,
    stages: stages as StageOverrides | undefined,
    parseOptions,
    connect: (ctx, request = {}) =>
      def.connect(ctx, {
        port: request.port,
        probe: request.probe,
        baud: request.baud,
        options: parseOptions(request.options),
      }),
  };
}
