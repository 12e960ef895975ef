// Project config and plugins as an attacker or an unlucky user meets them: configs outside the
// project, remote URLs, plugins that hang, shadow built-in commands or register late.
import { deepEqual, doesNotMatch, equal, match, ok } from "node:assert/strict";
import { BUILTIN_COMMANDS } from "../cli/builtin_commands.ts";
import { findConfig } from "../cli/config.ts";
import { programSpec } from "../cli/main.ts";
import { runCli } from "./support/run_cli.ts";

async function project(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "deltaflash-safety-" });
  for (const [name, text] of Object.entries(files)) {
    await Deno.mkdir(`${dir}/${name}`.replace(/\/[^/]*$/, ""), { recursive: true });
    await Deno.writeTextFile(`${dir}/${name}`, text);
  }
  return dir;
}

/** A plugin module that leaves a file behind when it is imported. */
const marking = (marker: string) =>
  `Deno.writeTextFileSync(${JSON.stringify(marker)}, "imported");
export default () => () => {};`;

/** A module whose import does not settle until the test releases it (see {@link release}). */
const HANGING_IMPORT = `await new Promise((r) => globalThis.addEventListener("release-hang", r));
export default () => () => {};`;

/** Lets hanging imports finish, so no import is left pending when the test ends. */
function release() {
  globalThis.dispatchEvent(new Event("release-hang"));
}

/** Fails instead of hanging the test run when `p` never settles. */
async function settles<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} never finished`)), 60_000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("config: a deltaflash.json above the project folder is not used", async () => {
  const dir = await project({
    "deltaflash.json": JSON.stringify({ plugins: ["./evil.ts"] }),
    "proj/package.json": "{}",
    "other/.git/HEAD": "ref: refs/heads/main\n",
    "plain/sub/x.txt": "",
  });
  equal(await findConfig(`${dir}/proj`), undefined);
  equal(await findConfig(`${dir}/other`), undefined);
  // Without a project marker the nearest folder with a config is the project.
  equal(await findConfig(`${dir}/plain/sub`), `${dir}/deltaflash.json`);
});

Deno.test("--version, --help and completions never import the project's plugins", async () => {
  const marker = `${await Deno.makeTempDir()}/imported`;
  const dir = await project({
    "evil.ts": marking(marker),
    "hang.ts": HANGING_IMPORT,
    "deno.json": JSON.stringify({ deltaflash: { plugins: ["./evil.ts", "./hang.ts"] } }),
  });
  const config = `${dir}/deno.json`;
  try {
    for (const argv of [["--version"], ["--help"], ["completions", "bash"], ["flash", "--help"]]) {
      const r = await settles(runCli(["--config", config, ...argv]), argv.join(" "));
      ok(r.code === 0, `${argv.join(" ")}: ${r.stderr}`);
      equal(await Deno.stat(marker).then(() => true, () => false), false, argv.join(" "));
    }
  } finally {
    release();
  }
});

Deno.test("a plugin whose import or function never settles is reported by specifier", async () => {
  const dir = await project({
    "hang_import.ts": HANGING_IMPORT,
    "hang_fn.ts": "export default () => () => new Promise(() => {});",
    "deno.json": JSON.stringify({
      deltaflash: { plugins: ["./hang_import.ts", "./hang_fn.ts"], pluginTimeoutMs: 200 },
    }),
  });
  const r = await settles(runCli(["--config", `${dir}/deno.json`, "targets"]), "targets")
    .finally(release);
  equal(r.code, 0, r.stderr);
  match(
    r.stderr,
    new RegExp(`plugin ${dir}/hang_import\\.ts: did not finish loading within 200 ms`),
  );
  match(r.stderr, new RegExp(`plugin ${dir}/hang_fn\\.ts: did not finish loading within 200 ms`));
  match(r.stdout, /^esp32c3\s/m);
});

Deno.test("remote plugin URLs load only with --allow-remote-plugins, and the URL is shown", async () => {
  const url = "http://127.0.0.1:9/plugin.ts"; // discard port: nothing is served
  const dir = await project({ "deno.json": JSON.stringify({ deltaflash: { plugins: [url] } }) });
  const refused = await runCli(["--config", `${dir}/deno.json`, "targets"]);
  equal(refused.code, 0, refused.stderr);
  match(
    refused.stderr,
    /plugin http:\/\/127\.0\.0\.1:9\/plugin\.ts: is a remote URL and was not loaded/,
  );
  match(refused.stderr, /--allow-remote-plugins/);
  doesNotMatch(refused.stderr, /cannot be imported/, "no fetch was attempted");
  const allowed = await runCli([
    "--config",
    `${dir}/deno.json`,
    "--allow-remote-plugins",
    "targets",
  ]);
  match(allowed.stderr, /loading remote plugin http:\/\/127\.0\.0\.1:9\/plugin\.ts/);
  match(allowed.stderr, /plugin\.ts: cannot be imported/);
});

Deno.test("targets -v says where each plugin came from; shadowing and late registrations are reported", async () => {
  const target = (name: string) =>
    `{ name: "${name}", family: "demo", description: "d", link: "probe", hash: "md5",
    layout: { regions: [{ name: "flash", start: 0, size: 4096, blockSize: 4096 }] },
    connect: () => { throw new Error("no device"); } }`;
  const dir = await project({
    "good.ts": `export default () => (host) => host.registerTarget(${target("good-board")});`,
    "shadow.ts": `export default () => (host) => host.registerCommand({
      name: "flash", description: "not the real one", run: async () => 0 });`,
    "late.ts": `export default () => (host) => host.registerCommand({
      name: "poke", description: "registers a target when run",
      run: async () => { host.registerTarget(${target("late-board")}); return 0; } });`,
    "deno.json": JSON.stringify({
      deltaflash: { plugins: ["./good.ts", "./shadow.ts", "./late.ts"] },
    }),
  });
  const r = await runCli(["--config", `${dir}/deno.json`, "targets", "-v"]);
  equal(r.code, 0, r.stderr);
  match(r.stdout, new RegExp(`${dir}/good\\.ts \\(local file, listed in ${dir}/deno\\.json\\)`));
  match(r.stdout, /target 'good-board'/);
  match(r.stdout, /builtin:esp-targets \(built-in\)/);
  const report = `${r.stdout}\n${r.stderr}`;
  match(report, /shadow\.ts: command 'flash' is named like a built-in command and is not added/);
  const poked = await runCli(["--config", `${dir}/deno.json`, "poke"]);
  equal(poked.code, 0, poked.stderr);
  match(poked.stderr, /late\.ts: tried to register a target after it finished loading; ignored/);
});

Deno.test("the reserved command names are exactly the CLI's own commands", async () => {
  const io = { out: () => {}, err: () => {}, isTerminal: false };
  const spec = await programSpec(io, ["--version"]);
  deepEqual(
    spec.commands.map((c) => c.name).sort(),
    BUILTIN_COMMANDS.filter((n) => n !== "help").toSorted(),
  );
});
