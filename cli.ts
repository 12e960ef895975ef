/**
 * deltaflash command line: `deno run -A cli.ts --help`.
 *
 * @module
 */
import { main } from "./cli/main.ts";
import { AbortedError } from "./kernel/mod.ts";

if (import.meta.main) {
  const enc = new TextEncoder();
  // First Ctrl-C stops between device requests (a rerun repairs what is left); second exits.
  const abort = new AbortController();
  Deno.addSignalListener("SIGINT", () => {
    if (abort.signal.aborted) Deno.exit(130);
    abort.abort(new AbortedError());
    // Commands that wait on nothing abortable (a server, a monitor) end here.
    setTimeout(() => Deno.exit(130), 5000);
  });
  const code = await main(Deno.args, {
    out: (line) => Deno.stdout.writeSync(enc.encode(line + "\n")),
    err: (line) => Deno.stderr.writeSync(enc.encode(line + "\n")),
    isTerminal: Deno.stderr.isTerminal(),
    signal: abort.signal,
    raw: (text) => Deno.stderr.writeSync(enc.encode(text)),
    columns: () => {
      try {
        return Deno.consoleSize().columns;
      } catch {
        return undefined;
      }
    },
  });
  Deno.exit(code);
}
