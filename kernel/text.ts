/**
 * Text from files and devices made safe to print: control characters (which a terminal takes
 * as commands, e.g. escape sequences that move the cursor or retitle the window) and invisible
 * bidirectional overrides are shown as escapes instead.
 *
 * @module
 */

// C0 controls, DEL, C1 controls, zero-width and bidi formatting, line/paragraph separators.
// deno-lint-ignore no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;
const UNSAFE_KEEP_NEWLINES =
  // deno-lint-ignore no-control-regex
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;

function escape(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16)}`;
}

/** `text` with every control and bidi formatting character written as `\xNN` / `\uNNNN`. */
export function printable(text: string): string {
  return text.replace(UNSAFE, escape);
}

/** Like {@link printable} but keeps line breaks (for multi-line messages). */
export function printableLines(text: string): string {
  return text.replace(UNSAFE_KEEP_NEWLINES, escape);
}
