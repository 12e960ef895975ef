/**
 * The README as a new user follows it: `deno task install`, then every `sh` block pasted into
 * a shell (the `jsonc` blocks whose first line names a file are saved under that name first).
 * `shell` blocks need hardware or a project of the user's own and are not run.
 *
 * @module
 */
import { equal, match, ok } from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../", import.meta.url));

/** Fenced blocks of a markdown text: info string and body. */
function blocks(markdown: string): { lang: string; body: string }[] {
  const out = [];
  const re = /^```(\S*)[^\n]*\n([\s\S]*?)^```\s*$/gm;
  for (let m; (m = re.exec(markdown));) out.push({ lang: m[1], body: m[2] });
  return out;
}

Deno.test("README: install, then every sh example runs as written", async () => {
  const all = blocks(await Deno.readTextFile(`${REPO}README.md`));
  const installRoot = await Deno.makeTempDir({ prefix: "deltaflash-readme-root-" });
  const work = await Deno.makeTempDir({ prefix: "deltaflash-readme-" });
  // A new user has no flash record of the simulated chips from earlier runs.
  const cache = await Deno.makeTempDir({ prefix: "deltaflash-readme-records-" });
  await Deno.symlink(join(REPO, "examples"), join(work, "examples"));
  const env = {
    DENO_INSTALL_ROOT: installRoot,
    PATH: `${installRoot}/bin:${dirname(Deno.execPath())}:${Deno.env.get("PATH") ?? ""}`,
    NO_COLOR: "1",
    DELTAFLASH_RECORDS: cache,
  };
  const outputs: string[] = [];
  try {
    for (const b of all) {
      const file = /^\/\/ (\S+\.jsonc?)$/.exec(b.body.split("\n", 1)[0])?.[1];
      if (b.lang === "jsonc" && file) {
        await Deno.writeTextFile(join(work, file), b.body);
        continue;
      }
      if (b.lang !== "sh") continue;
      // The install step runs in the checkout; everything after it wherever the user is.
      const cwd = b.body.includes("deno task install") ? REPO : work;
      const r = await new Deno.Command("bash", {
        args: ["-c", `set -e\n${b.body}`],
        cwd,
        env,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr);
      equal(r.code, 0, `README block failed:\n${b.body}\n${text}`);
      outputs.push(text);
    }
  } finally {
    await Deno.remove(installRoot, { recursive: true });
    await Deno.remove(cache, { recursive: true });
  }
  ok(outputs.length >= 4, `${outputs.length} sh blocks ran`);
  // First run: v2 over v1 writes only what changed; the micro:bit is found by its board id.
  const first = outputs[1];
  match(first, /wrote 9 of 9 sectors.*\n[\s\S]*wrote [1-8] of 9 sectors/);
  match(first, /detected microbit-v2 on sim:microbit-v2/);
  // The config examples ran from deno.json (v1 back over v2) and from deltaflash.json (v2
  // again), each against the flash the earlier runs kept.
  const [fromDeno, fromOwn] = outputs.slice(-2);
  match(fromDeno, /wrote [1-8] of 9 sectors/);
  match(fromOwn, /wrote [1-8] of 9 sectors/);
  await Deno.remove(work, { recursive: true });
});
