/**
 * `deno task install`: a `deltaflash` command under DENO_INSTALL_ROOT that loads only the
 * packages the CLI uses.
 *
 * @module
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { VERSION } from "../cli/main.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const dist = `${root}examples/firmware/dist`;
/** Packages only tests, benchmarks or builds use, and one nothing uses. */
const NOT_FOR_THE_CLI = ["dapjs", "murmurhash3js", "esbuild", "cli-progress"];

async function run(cmd: string, args: string[], opts: Deno.CommandOptions = {}) {
  const r = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped", ...opts })
    .output();
  const dec = new TextDecoder();
  return { code: r.code, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) };
}

const packageName = (id: string) => id.replace(/^npm:\/?/, "").replace(/(.)@.*$/, "$1");

Deno.test("the CLI's module graph holds no test-, bench- or build-only npm package", async () => {
  const r = await run(Deno.execPath(), ["info", "--json", "cli.ts"], { cwd: root });
  equal(r.code, 0, r.stderr);
  const graph = JSON.parse(r.stdout) as { modules: { kind: string; specifier: string }[] };
  const npm = graph.modules.filter((m) => m.kind === "npm").map((m) => packageName(m.specifier));
  ok(npm.includes("@commander-js/extra-typings"), npm.join(", "));
  for (const p of NOT_FOR_THE_CLI) ok(!npm.includes(p), `cli.ts imports ${p}`);
  // Deno installs every npm entry of the import map, so none of them may sit there either.
  const config = JSON.parse(await Deno.readTextFile(`${root}deno.json`));
  for (const p of NOT_FOR_THE_CLI) equal(config.imports[p], undefined, `deno.json maps ${p}`);
});

Deno.test("deno task install puts deltaflash under DENO_INSTALL_ROOT; it flashes from anywhere", async () => {
  const installRoot = await Deno.makeTempDir({ prefix: "deltaflash-install-" });
  const work = await Deno.makeTempDir({ prefix: "deltaflash-work-" });
  try {
    const env = { DENO_INSTALL_ROOT: installRoot, NO_COLOR: "1" };
    const inst = await run(Deno.execPath(), ["task", "install"], { cwd: root, env });
    equal(inst.code, 0, inst.stderr);
    const bin = `${installRoot}/bin/deltaflash`;
    ok((await Deno.stat(bin)).mode! & 0o100, "the command is executable");
    // The installed command pins exactly the packages its graph needs.
    const lock = JSON.parse(await Deno.readTextFile(`${installRoot}/bin/.deltaflash/deno.lock`));
    const locked = Object.keys(lock.npm ?? {}).map(packageName);
    for (const p of NOT_FOR_THE_CLI) ok(!locked.includes(p), `installed lock has ${p}`);

    const path = `${installRoot}/bin:${Deno.env.get("PATH")}`;
    const version = await run("deltaflash", ["--version"], {
      cwd: work,
      env: { ...env, PATH: path },
    });
    equal(version.code, 0, version.stderr);
    equal(version.stdout.trim(), VERSION);
    const state = `${work}/c3.bin`;
    const args = [
      "flash",
      "--chip",
      "esp32c3",
      "--port",
      `sim:esp32c3?state=${state}`,
      `${dist}/esp32c3-blink-v1.bin@0x10000`,
    ];
    const first = await run("deltaflash", args, { cwd: work, env: { ...env, PATH: path } });
    equal(first.code, 0, first.stderr);
    match(first.stdout, /wrote \d+ of \d+ sectors/);
    const again = await run("deltaflash", args, { cwd: work, env: { ...env, PATH: path } });
    equal(again.code, 0, again.stderr);
    match(again.stdout, /wrote 0 of \d+ sectors/);
    deepEqual((await Deno.stat(state)).isFile, true);
  } finally {
    await Deno.remove(installRoot, { recursive: true });
    await Deno.remove(work, { recursive: true });
  }
});
