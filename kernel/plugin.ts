/**
 * The plugin contract. A plugin is a function that receives the host and registers things;
 * plugins with options are factories `(options) => plugin`, as in Lume.
 *
 * @module
 */
import type { ImageFormat } from "./format.ts";
import type { HashAlgorithm } from "./hash.ts";
import type { HookName, StageWrapper } from "./stages.ts";
import type { FlashDevice } from "./device.ts";
import type { AnyOptions } from "./options.ts";
import type { Target, TargetDefinition, TargetDetector } from "./target.ts";
import type { RunContext } from "./context.ts";
import type { OpenOptions, TransportKind, TransportKinds, TransportProvider } from "./transport.ts";

/** A positional argument of a plugin command. */
export interface CommandArgument {
  /** Name shown in help. */
  readonly name: string;
  /** Description. */
  readonly description: string;
  /** Required (default true). */
  readonly required?: boolean;
  /** Takes the rest of the arguments. */
  readonly variadic?: boolean;
}

/** An option of a plugin command, in commander flag syntax (`-x, --name <value>`). */
export interface CommandOption {
  /** Flags, e.g. `--baud <rate>`. */
  readonly flags: string;
  /** Description. */
  readonly description: string;
  /** Default value. */
  readonly default?: string | boolean;
}

/** Output channels handed to a plugin command. */
export interface CommandIO {
  /** Writes a line to stdout. */
  out(line: string): void;
  /** Writes a line to stderr. */
  err(line: string): void;
}

/** An extra CLI command contributed by a plugin. */
export interface CliCommand {
  /** Command name. */
  readonly name: string;
  /** One-line description. */
  readonly description: string;
  /** Positional arguments. */
  readonly arguments?: readonly CommandArgument[];
  /** Options. */
  readonly options?: readonly CommandOption[];
  /** Runs the command; returns the exit code (0 when void). */
  run(
    args: readonly string[],
    options: Readonly<Record<string, unknown>>,
    io: CommandIO,
  ): Promise<number | void>;
}

/** Which targets a stage wrapper applies to. */
export interface WrapScope {
  /** Target names; all targets when absent. */
  readonly targets?: readonly string[];
}

/** What a plugin can do with the host. */
export interface PluginHost {
  /** Kernel API version; plugins may refuse to load on a major mismatch. */
  readonly apiVersion: string;
  /**
   * Registers a target (name and aliases must be unique; its hash algorithm and formats
   * must be registered already).
   */
  registerTarget<D extends FlashDevice, O extends AnyOptions>(
    target: TargetDefinition<D, O>,
  ): void;
  /** Registers a hash algorithm. */
  registerHash(hash: HashAlgorithm): void;
  /** Registers an image format. */
  registerFormat(format: ImageFormat): void;
  /** Registers a transport provider for a scheme and kind. */
  registerTransport<K extends TransportKind>(provider: TransportProvider<K>): void;
  /** Registers an extra CLI command. */
  registerCommand(command: CliCommand): void;
  /** Registers a detector that names the target behind a port or probe. */
  registerDetector(detector: TargetDetector): void;
  /**
   * Opens a link through whichever transport plugin serves the address's scheme; targets
   * call this from `connect`, so they never know whether the link is real or simulated.
   */
  openTransport<K extends TransportKind>(
    ctx: RunContext,
    kind: K,
    address: string,
    options?: OpenOptions,
  ): Promise<TransportKinds[K]>;
  /**
   * The kinds of link (`serial`, `dap`, `gdb`) registered for the scheme of `address`: how a
   * probe layer picks the protocol an address speaks without parsing it.
   */
  transportKinds(address: string): TransportKind[];
  /**
   * A target registered so far (by this or an earlier plugin), by name or alias,
   * case-insensitive; throws NotFoundError (listing the known names) when there is none.
   * Lets a board plugin derive its target from a built-in chip.
   */
  target(name: string): Target;
  /** Wraps (or replaces) one lifecycle stage, for all targets or some. */
  wrapStage<K extends HookName>(stage: K, wrapper: StageWrapper<K>, scope?: WrapScope): void;
}

/** A plugin: registers things on the host. */
export type Plugin = (host: PluginHost) => void | Promise<void>;
