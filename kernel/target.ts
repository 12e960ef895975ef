/**
 * The target contract: what a target plugin describes (memory map, costs, defaults, options)
 * and the typed device its `connect` opens, which every stage then receives.
 *
 * @module
 */
import type { RunContext } from "./context.ts";
import type { CostModel, FlashDevice, FlashLayout } from "./device.ts";
import type { FlashImage, PartialBlockPolicy } from "./image.ts";
import type { AnyOptions, OptionSchema } from "./options.ts";
import type { StageOverrides } from "./stages.ts";

/** How to reach a device, as the CLI or an API caller gives it (options not yet parsed). */
export interface ConnectRequest {
  /** Serial port address (path, `sim:…`, `rfc2217://…`, `socket://…`). */
  port?: string;
  /** Probe address (`sim:…`, `hid:…`, `gdb://…`). */
  probe?: string;
  /** Baud rate for serial targets. */
  baud?: number;
  /** Target options as given (`-O key=value`, config `deltaflash.options`). */
  options?: Readonly<Record<string, unknown>>;
}

/**
 * Tells which target the device behind an address is (an ESP chip id on a serial port, a
 * CMSIS-DAP probe's board id), so a run needs no `--target`.
 */
export interface TargetDetector {
  /** Name for messages (`esp-serial`). */
  readonly name: string;
  /** The kind of address it reads: a serial port or a debug probe. */
  readonly link: "serial" | "probe";
  /**
   * The registered target name for the device at `address`, or undefined when it is not a
   * device this detector knows. Leaves the link closed.
   */
  detect(ctx: RunContext, address: string, request: ConnectRequest): Promise<string | undefined>;
}

/** What a target's `connect` receives: the address, and its options parsed by its schema. */
export interface ConnectOptions<O = AnyOptions> {
  /** Serial port address (path, `sim:…`, `rfc2217://…`, `socket://…`). */
  readonly port?: string;
  /** Probe address (`sim:…`, `hid:…`, `gdb://…`). */
  readonly probe?: string;
  /** Baud rate for serial targets. */
  readonly baud?: number;
  /** The target's options, parsed (defaults filled in). */
  readonly options: O;
}

/**
 * What a target plugin registers: `D` is the device its `connect` opens (every stage of the
 * target receives it typed), `O` the options its schema parses.
 */
export interface TargetDefinition<D extends FlashDevice = FlashDevice, O = AnyOptions> {
  /** Unique name used with `--target`, e.g. `esp32c3`. */
  readonly name: string;
  /** Other accepted names. */
  readonly aliases?: readonly string[];
  /** Family name, e.g. `esp` or `nrf`. */
  readonly family: string;
  /** One-line description. */
  readonly description: string;
  /** How the device is reached. */
  readonly link: "serial" | "probe";
  /** Default memory map (before detection). */
  readonly layout: FlashLayout;
  /**
   * The memory map to plan against without a device, from the parsed target options (e.g.
   * `flashSize`) and the image, for targets whose map is only known after connecting;
   * `layout` otherwise.
   */
  layoutFor?(options: O, image: FlashImage): FlashLayout;
  /** Default hash algorithm name for comparisons (checked when the target registers). */
  readonly hash: string;
  /** Default partial-block policy (kernel default: `keep`). */
  readonly partialBlocks?: PartialBlockPolicy;
  /** Image format options (e.g. Universal Hex board ids this target accepts). */
  readonly formatOptions?: Readonly<Record<string, unknown>>;
  /** Image formats the target needs (checked when the target registers). */
  readonly formats?: readonly string[];
  /** Cost model for plan estimates. */
  readonly cost?: CostModel;
  /** The target's options; a target without a schema takes none. */
  readonly options?: OptionSchema<O & AnyOptions>;
  /** Opens a session with a device; `options.options` is already parsed. */
  connect(ctx: RunContext, options: ConnectOptions<O>): Promise<D>;
  /** Stage implementations this target supplies instead of the kernel's defaults. */
  readonly stages?: StageOverrides<D>;
}

/**
 * A target as the registry hands it out: its device type erased, and a `connect` that parses
 * the options it is given with the target's schema before opening the device.
 */
export interface Target extends Omit<TargetDefinition, "connect" | "stages"> {
  /** Parses the options (a {@link UsageError} for unknown keys or bad values), then connects. */
  connect(ctx: RunContext, request?: ConnectRequest): Promise<FlashDevice>;
  /** The target's stage overrides. */
  readonly stages?: StageOverrides;
  /** Parses options with the target's schema without connecting. */
  parseOptions(options: Readonly<Record<string, unknown>> | undefined): AnyOptions;
}

/**
 * Declares a target with its device and option types inferred, so its stages and `connect`
 * are checked against the device it really opens.
 */
export function defineTarget<D extends FlashDevice, O extends AnyOptions = AnyOptions>(
  definition: TargetDefinition<D, O>,
): TargetDefinition<D, O> {
  return definition;
}
