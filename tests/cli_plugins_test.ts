// User plugins from `deltaflash.plugins`: each way a plugin can be broken is reported with its
// specifier and the reason, and the CLI keeps working for everything else.
import { doesNotMatch, equal, match } from "node:assert/strict";
import { runCli } from "./support/run_cli.ts";

async function project(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "deltaflash-plugins-" });
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(`${dir}/${name}`, text);
  }
  return dir;
}

const good = `
export default () => (host) => {
  host.registerTarget({
    name: "good-board", family: "demo", description: "works", link: "probe", hash: "md5",
    layout: { regions: [{ name: "flash", start: 0, size: 65536, blockSize: 4096 }] },
    connect: () => { throw new Error("no device"); },
  });
};`;

const broken: Record<string, string> = {
  "syntax.ts": "export default () => (host) => { host.registerTarget({ name: ",
  "missing_dep.ts": `import "./does_not_exist.ts";\nexport default () => () => {};`,
  "no_default.ts": "export const x = 1;",
  "not_factory.ts": "export default 42;",
  "returns_object.ts": "export default () => ({ name: 'x' });",
  "rejects.ts":
    "export default () => async () => { await 0; throw new Error('probe table missing'); };",
  "half.ts": `export default () => (host) => {
  host.registerTarget({
    name: "half-board", family: "demo", description: "never stays", link: "probe", hash: "md5",
    layout: { regions: [{ name: "flash", start: 0, size: 4096, blockSize: 4096 }] },
    connect: () => { throw new Error("no device"); },
  });
  throw new Error("second half failed");
};`,
  "no_regions.ts": `export default () => (host) => host.registerTarget({
  name: "empty", family: "demo", description: "", link: "probe", hash: "md5",
  layout: { regions: [] }, connect: () => {} });`,
  "dup_builtin.ts": `export default () => (host) => host.registerTarget({
  name: "ESP32C3", family: "demo", description: "", link: "serial", hash: "md5",
  layout: { regions: [{ name: "flash", start: 0, size: 4096, blockSize: 4096 }] },
  connect: () => {} });`,
};

Deno.test("cli plugins: every kind of broken plugin is named with its reason; the rest works", async () => {
  const dir = await project({
    ...broken,
    "good.ts": good,
    "deno.json": JSON.stringify({
      deltaflash: { plugins: [...Object.keys(broken).map((f) => `./${f}`), "./good.ts"] },
    }),
  });
  const r = await runCli(["--config", `${dir}/deno.json`, "targets", "-v"]);
  equal(r.code, 0, r.stderr);
  const report = `${r.stdout}\n${r.stderr}`;
  const reasons: Record<string, RegExp> = {
    "syntax.ts": /syntax\.ts: cannot be imported: /,
    "missing_dep.ts": /missing_dep\.ts: cannot be imported: .*does_not_exist\.ts/,
    "no_default.ts": /no_default\.ts: has no default export/,
    "not_factory.ts": /not_factory\.ts: has no default export/,
    "returns_object.ts": /returns_object\.ts: default export did not return a plugin function/,
    "rejects.ts": /rejects\.ts: probe table missing/,
    "half.ts": /half\.ts: second half failed/,
    "no_regions.ts": /no_regions\.ts: target 'empty' has no flash regions/,
    "dup_builtin.ts": /dup_builtin\.ts: target name 'ESP32C3' is already registered/,
  };
  for (const [file, reason] of Object.entries(reasons)) {
    match(report, new RegExp(`plugin ${dir}/${reason.source}`), `${file} reported`);
  }
  match(r.stdout, /^good-board\s+demo/m);
  match(r.stdout, /^esp32c3\s+esp/m);
  doesNotMatch(r.stdout, /half-board/, "a plugin that throws leaves nothing registered");
  doesNotMatch(report, /^\s+at /m, "no stack traces");
});

Deno.test("cli plugins: with a broken plugin loaded, flashing a built-in target still works", async () => {
  const dir = await project({
    "syntax.ts": broken["syntax.ts"],
    "deno.json": JSON.stringify({ deltaflash: { plugins: ["./syntax.ts"] } }),
  });
  await Deno.writeFile(`${dir}/app.bin`, new Uint8Array(6000).fill(0x42));
  const r = await runCli([
    "--config",
    `${dir}/deno.json`,
    "flash",
    "--target",
    "esp32c3",
    "--port",
    "sim:esp32c3?state=" + `${dir}/flash.bin`,
    `${dir}/app.bin@0x10000`,
  ]);
  equal(r.code, 0, r.stderr);
  match(r.stderr + r.stdout, /syntax\.ts: cannot be imported/);
  match(r.stdout + r.stderr, /wrote 2 of 2 sectors/);
});
