/**
 * deltaflash command line: `deno run -A cli.ts --help`.
 *
 * @module
 */
import { main } from "./cli/main.ts";

if (import.meta.main) {
  const enc = new TextEncoder();
  const code = await main(Deno.args, {
    out: (line) => Deno.stdout.writeSync(enc.encode(line + "\n")),
    err: (line) => Deno.stderr.writeSync(enc.encode(line + "\n")),
    isTerminal: Deno.stderr.isTerminal(),
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
