/**
 * Typed errors. Every failure a user can cause or meet is one of these: a one-line message,
 * a hint that says what to do, and the exit code the CLI uses: 2 for usage errors (bad
 * command line, config, target, option, or an image that cannot be for the chosen target),
 * 1 for device, image and verify failures, 130 when the user interrupted the run.
 *
 * @module
 */

/** Exit code of a usage error. */
export const EXIT_USAGE = 2;
/** Exit code of a device, image or verify failure. */
export const EXIT_FAILURE = 1;
/** Exit code after Ctrl-C (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;

/** Options shared by every deltaflash error. */
export interface DeltaflashErrorOptions {
  /** What the user can do about it. */
  hint?: string;
  /** The underlying error, if any. */
  cause?: unknown;
  /**
   * Exit code, where the class alone does not decide it: the same check can be a usage
   * error in one command (an image for another chip, before a device is opened) and the
   * finding of another (`image-info --chip`).
   */
  exitCode?: number;
}

/** Base class of every error deltaflash raises on purpose. */
export class DeltaflashError extends Error {
  /** A stable machine-readable code, e.g. `E_IMAGE_FORMAT`. */
  readonly code: string;
  /** What the user can do about it. */
  readonly hint?: string;
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: number;

  /** Creates an error with a stable `code`, a one-line message and an optional hint. */
  constructor(code: string, message: string, options: DeltaflashErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? EXIT_FAILURE;
  }
}

/** Wrong command-line usage (exit 2). */
export class UsageError extends DeltaflashError {
  /** Creates a usage error (exit code 2). */
  constructor(message: string, options?: DeltaflashErrorOptions) {
    super("E_USAGE", message, { ...options, exitCode: EXIT_USAGE });
  }
}

/** An image file could not be parsed. Carries the file and, for text formats, the line. */
export class ImageFormatError extends DeltaflashError {
  /** The file or source name. */
  readonly source: string;
  /** 1-based line number for text formats. */
  readonly line?: number;
  /** Creates a format error for `source`, prefixed with `source:line`. */
  constructor(
    source: string,
    message: string,
    options: DeltaflashErrorOptions & { line?: number } = {},
  ) {
    super(
      "E_IMAGE_FORMAT",
      `${source}${options.line !== undefined ? `:${options.line}` : ""}: ${message}`,
      options,
    );
    this.source = source;
    this.line = options.line;
  }
}

/** Two image sources place different bytes at the same address. */
export class ImageOverlapError extends DeltaflashError {
  /** Creates an overlap error naming both sources and the first clashing address. */
  constructor(
    readonly first: string,
    readonly second: string,
    readonly address: number,
    options?: DeltaflashErrorOptions,
  ) {
    super(
      "E_IMAGE_OVERLAP",
      `${first} and ${second} both write address 0x${address.toString(16)} with different bytes`,
      { hint: "move one image to another address or drop one of them", ...options },
    );
  }
}

/** The image does not fit the target's memory map. */
export class ImageRangeError extends DeltaflashError {
  /** Creates an error for an image outside the memory map. */
  constructor(message: string, options?: DeltaflashErrorOptions) {
    super("E_IMAGE_RANGE", message, options);
  }
}

/** Configuration is missing or invalid (a usage error: exit 2). */
export class ConfigError extends DeltaflashError {
  /** Dotted path of the bad key, when known. */
  readonly path?: string;
  /** Creates a configuration error; `options.path` names the bad key. */
  constructor(message: string, options: DeltaflashErrorOptions & { path?: string } = {}) {
    super("E_CONFIG", message, { exitCode: EXIT_USAGE, ...options });
    this.path = options.path;
  }
}

/** A plugin failed to load or registered something invalid. */
export class PluginError extends DeltaflashError {
  /** Creates an error for the plugin `specifier`, prefixed `plugin <specifier>:`. */
  constructor(readonly specifier: string, message: string, options?: DeltaflashErrorOptions) {
    super("E_PLUGIN", `plugin ${specifier}: ${message}`, options);
  }
}

/**
 * Something named (target, hash, format, transport) is not registered: a usage error (exit 2)
 * unless `options.exitCode` says otherwise (a device that is not attached is a failure).
 */
export class NotFoundError extends DeltaflashError {
  /** Creates an `unknown <kind> '<name>'` error whose hint lists the known names. */
  constructor(
    kind: string,
    name: string,
    known: readonly string[],
    options?: DeltaflashErrorOptions,
  ) {
    super("E_NOT_FOUND", `unknown ${kind} '${name}'`, {
      hint: known.length ? `known ${kind}s: ${known.join(", ")}` : undefined,
      exitCode: EXIT_USAGE,
      ...options,
    });
  }
}

/** The device or link misbehaved (timeout, bad response, vanished). */
export class DeviceError extends DeltaflashError {
  /** Creates a device error (`options.code` defaults to `E_DEVICE`). */
  constructor(message: string, options: DeltaflashErrorOptions & { code?: string } = {}) {
    super(options.code ?? "E_DEVICE", message, options);
  }
}

/** A response did not arrive in time. */
export class TimeoutError extends DeviceError {
  /** Creates a timeout error (`E_TIMEOUT`). */
  constructor(message: string, options?: DeltaflashErrorOptions) {
    super(message, { code: "E_TIMEOUT", ...options });
  }
}

/** The port cannot drive modem lines (DTR/RTS): a pseudo-terminal or a raw TCP socket. */
export class SignalsUnsupportedError extends DeviceError {
  /** Creates the error for a port without DTR/RTS (`E_SIGNALS_UNSUPPORTED`). */
  constructor(port: string, options?: DeltaflashErrorOptions) {
    super(`signals unsupported on this port (${port})`, {
      code: "E_SIGNALS_UNSUPPORTED",
      hint: "DTR/RTS reset needs a USB-serial bridge or an RFC2217 server; " +
        "put the chip into its bootloader by hand (hold BOOT, tap RESET)",
      ...options,
    });
  }
}

/** Flash contents after writing do not match the image. */
export class VerifyError extends DeltaflashError {
  /** Creates a verify error for the blocks at `addresses`. */
  constructor(readonly addresses: readonly number[], options?: DeltaflashErrorOptions) {
    super(
      "E_VERIFY",
      `verify failed for ${addresses.length} block(s): ${
        addresses.slice(0, 8).map((a) => `0x${a.toString(16)}`).join(", ")
      }${addresses.length > 8 ? ", …" : ""}`,
      {
        hint: "run the same command again: only these blocks are rewritten " +
          "(if they fail again, that flash may be worn or damaged)",
        ...options,
      },
    );
  }
}

/** The run was cancelled through its AbortSignal (Ctrl-C: exit 130). */
export class AbortedError extends DeltaflashError {
  /** Creates the error a cancelled run throws (`E_ABORTED`). */
  constructor(options?: DeltaflashErrorOptions) {
    super("E_ABORTED", "operation aborted", {
      hint: "run the same command again: only blocks that still differ are written",
      exitCode: EXIT_INTERRUPTED,
      ...options,
    });
  }
}

/** Formats an unknown thrown value as one line. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
