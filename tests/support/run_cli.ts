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

/**
 * Runs `deltaflash <argv>` in this process. Flash records are kept in `recordDir` when given,
 * else nowhere, so that no run sees what another test flashed.
 */
export async function runCli(argv: string[], recordDir: string | null = null): Promise<CliRun> {
  const out: string[] = [], err: string[] = [];
  const code = await main(argv, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    isTerminal: false,
    recordDir,
  });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}
