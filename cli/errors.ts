/**
 * How the CLI reports a failure: one `error:` line and a `hint:` on stderr (the stack with
 * `-v`), with `--json` one `{"error": {code, message, hint}}` object on stdout, and the
 * error's exit code (2 usage, 1 failure, 130 interrupted).
 *
 * @module
 */
import { DeltaflashError, errorMessage, printableLines } from "../kernel/mod.ts";
import type { CliIO } from "./session.ts";

/** Anything thrown, as the typed error the CLI reports (an untyped one is a bug: exit 1). */
export function asDeltaflashError(e: unknown): DeltaflashError {
  if (e instanceof DeltaflashError) return e;
  return new DeltaflashError("E_INTERNAL", errorMessage(e), {
    hint: "this is a bug in deltaflash; run again with -v and report the output",
    cause: e,
  });
}

/** The one JSON object a failed command prints on stdout with `--json`. */
export function errorJson(e: DeltaflashError): {
  error: { code: string; message: string; hint: string | null };
} {
  return { error: { code: e.code, message: e.message, hint: e.hint ?? null } };
}

/**
 * Reports a failure: `error:` and `hint:` lines on stderr (with `-v` the stack), and with
 * `--json` one `{"error": {code, message, hint}}` object on stdout. Returns the exit code.
 */
export function reportError(
  e: unknown,
  io: Pick<CliIO, "out" | "err">,
  options: { json?: boolean; verbose?: boolean },
): number {
  const err = asDeltaflashError(e);
  // Messages quote names from files and devices: no escape sequences reach the terminal.
  io.err(`error: ${printableLines(err.message)}`);
  if (err.hint) io.err(`hint: ${printableLines(err.hint)}`);
  if (options.verbose) {
    // The stack, and the stack of what caused it (a device error's I/O failure, a bug).
    for (let x: unknown = err, depth = 0; x instanceof Error && depth < 4; depth++) {
      if (x.stack) io.err(depth ? `caused by: ${x.stack}` : x.stack);
      x = x.cause;
    }
  }
  if (options.json) io.out(JSON.stringify(errorJson(err), null, 2));
  return err.exitCode;
}
