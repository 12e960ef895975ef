/**
 * `deno task build`: one self-contained JavaScript file of the CLI (dist/deltaflash.js), with
 * npm dependencies and the embedded stub binaries inlined, via Deno's esbuild-based bundler.
 * `deno compile` needs a download that is not reachable offline, so this is how we ship.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const out = `${root}dist/deltaflash.js`;

async function run(cmd: string, args: string[]): Promise<string> {
  const r = await new Deno.Command(cmd, { args, cwd: root, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr);
  if (!r.success) throw new Error(`${cmd} ${args.join(" ")} failed:\n${text}`);
  return text;
}

await Deno.mkdir(`${root}dist`, { recursive: true });
await run(Deno.execPath(), [
  "bundle",
  "--quiet",
  "--platform",
  "deno",
  "--minify",
  "-o",
  out,
  "cli.ts",
]);
const body = await Deno.readTextFile(out);
await Deno.writeTextFile(out, `#!/usr/bin/env -S deno run -A\n${body.replace(/^#!.*\n/, "")}`);
await Deno.chmod(out, 0o755);
const version = (await run(Deno.execPath(), ["run", "-A", out, "--version"])).trim();
const size = (await Deno.stat(out)).size;
console.log(`dist/deltaflash.js (${(size / 1024).toFixed(0)} KiB), --version → ${version}`);
