/**
 * Starts a plugin project in a folder of your choice, wired to this checkout wherever it is
 * and whatever its folder is called: a `deno.json` whose import map names the package's
 * exports (`deltaflash`, `deltaflash/testing`, `deltaflash/probes`, `deltaflash/plugins`,
 * `deltaflash/sim`) and a `deltaflash` task that runs this checkout's CLI.
 *
 * Usage (in the checkout): `deno task init-plugin ~/my-board`
 *
 * @module
 */
import { join, resolve } from "node:path";

const ROOT = new URL("..", import.meta.url);

/** The deno.json of a plugin project using the checkout at `root`. */
export function projectConfig(root: URL): Record<string, unknown> {
  const config = JSON.parse(Deno.readTextFileSync(new URL("deno.json", root)));
  const exports = config.exports as Record<string, string>;
  const imports: Record<string, string> = {};
  for (const [key, path] of Object.entries(exports)) {
    imports[key === "." ? "deltaflash" : `deltaflash/${key.slice(2)}`] = new URL(path, root).href;
  }
  return {
    imports,
    // The project's own config, so plugins it loads resolve `deltaflash` through this map.
    tasks: { deltaflash: `deno run -A --config deno.json ${new URL("cli.ts", root).pathname}` },
  };
}

if (import.meta.main) {
  const dir = Deno.args[0];
  if (!dir) {
    console.error("usage: deno task init-plugin <folder>");
    Deno.exit(2);
  }
  // deno task runs in the checkout; a relative folder means one relative to where it was typed.
  const target = resolve(Deno.env.get("INIT_CWD") ?? Deno.cwd(), dir);
  const file = join(target, "deno.json");
  try {
    Deno.statSync(file);
    console.error(`${file} exists; add the imports and task yourself:`);
    console.error(JSON.stringify(projectConfig(ROOT), null, 2));
    Deno.exit(1);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  Deno.mkdirSync(target, { recursive: true });
  Deno.writeTextFileSync(file, JSON.stringify(projectConfig(ROOT), null, 2) + "\n");
  console.log(`created ${file}: import "deltaflash", run "deno task deltaflash"`);
}
