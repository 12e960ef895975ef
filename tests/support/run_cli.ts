/**
 * Runs the CLI in-process and captures its output.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
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

/** Runs `deltaflash <argv>` as a subprocess in `cwd` (a project's folder, as a user would). */
export async function runCliProcess(cwd: string, ...argv: string[]): Promise<CliRun> {
  const cli = fileURLToPath(new URL("../../cli.ts", import.meta.url));
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli, ...argv],
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) };
}
