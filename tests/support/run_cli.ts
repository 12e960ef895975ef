/**
 * Runs the CLI in-process and captures its output.
 *
 * @module
 */
import { main } from "../../cli/main.ts";

/** Exit code and captured output of one CLI run. */
export interface CliRun {
  /** Exit code. */
  code: number;
  /** Stdout lines joined. */
  stdout: string;
  /** Stderr lines joined. */
  stderr: string;
}

/** Runs `deltaflash <argv>` in this process. */
export async function runCli(argv: string[]): Promise<CliRun> {
  const out: string[] = [], err: string[] = [];
  const code = await main(argv, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    isTerminal: false,
  });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}
