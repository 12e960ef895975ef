/**
 * The image format contract.
 *
 * @module
 */
import type { Logger } from "./context.ts";
import type { FlashImage } from "./image.ts";

/** Options passed to a format's loader. */
export interface FormatLoadOptions {
  /** Display name of the source (file path). */
  readonly source: string;
  /** Load address, for formats without addresses (raw binary). */
  readonly address?: number;
  /** Format options from the target and caller (e.g. `boardIds`). */
  readonly options: Readonly<Record<string, unknown>>;
  /** Where a format reports what it skipped (debug) or doubts (warn). */
  readonly log?: Logger;
}

/** An image format a plugin registers. */
export interface ImageFormat {
  /** Registry name, e.g. `ihex`. */
  readonly name: string;
  /** One-line description. */
  readonly description: string;
  /** File extensions (lower case, with dot) that suggest this format. */
  readonly extensions: readonly string[];
  /** True when the format has no addresses of its own (needs `file@addr`). */
  readonly needsAddress?: boolean;
  /** Recognises the format from its first bytes; used before the extension. */
  detect?(head: Uint8Array): boolean;
  /** Parses the bytes; throws ImageFormatError on bad input. */
  load(bytes: Uint8Array, options: FormatLoadOptions): FlashImage;
}
