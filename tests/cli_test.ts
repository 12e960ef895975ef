import { deepEqual, doesNotMatch, equal, match } from "node:assert/strict";
import { firmware, needsFirmware } from "./support/firmware.ts";
import { runCli } from "./support/run_cli.ts";

Deno.test(
  "cli diff: sha2017 01→02 matches the corpus README (285 same, 4 different)",
  needsFirmware,
  async () => {
    const r = await runCli([
      "diff",
      firmware("esp32/sha2017-badge/sha2017-badge_01_5d05113.bin"),
      firmware("esp32/sha2017-badge/sha2017-badge_02_0f6382e.bin"),
      "--block",
      "4096",
      "--json",
    ]);
    equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    deepEqual([j.blocks, j.same, j.different, j.bytesDiffering], [289, 285, 4, 77]);
  },
);

Deno.test("cli: a malformed hex exits 1 and names the line, without a stack trace", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/bad.hex`;
  await Deno.writeTextFile(file, ":0400000001020304F2\n:0400040001020304EF\n:00000001FF\n");
  const r = await runCli(["diff", file, file]);
  equal(r.code, 1);
  match(r.stderr, /bad\.hex:2: bad checksum/);
  match(r.stderr, /^error: /);
  doesNotMatch(r.stderr, /^\s+at /m);
});

Deno.test("cli: usage errors exit 2", async () => {
  equal((await runCli([])).code, 2);
  const typo = await runCli(["flsh"]);
  equal(typo.code, 2);
  match(typo.stderr, /Did you mean flash/);
  equal((await runCli(["diff", "only-one"])).code, 2);
  equal((await runCli(["flash", "--mode", "sideways", "x.bin@0"])).code, 2);
  const noTarget = await runCli(["flash", "x.bin@0x1000"]);
  equal(noTarget.code, 2);
  match(noTarget.stderr, /hint: pass --target/);
  equal((await runCli(["diff", "a.bin", "b.bin", "--block", "1000"])).code, 2);
});

Deno.test("cli: missing files are a clear error", async () => {
  const r = await runCli(["diff", "/nonexistent/a.bin", "/nonexistent/b.bin"]);
  equal(r.code, 1);
  match(r.stderr, /no such file: \/nonexistent\/a\.bin/);
});

async function project(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir();
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(`${dir}/${name}`, text);
  }
  return dir;
}

const pluginSource = (name: string) => `
export default (options = {}) => (host) => {
  host.registerTarget({
    name: ${
  JSON.stringify(name)
}, family: "demo", description: "a user target " + (options.note ?? ""),
    link: "probe", hash: "md5",
    layout: { regions: [{ name: "flash", start: 0, size: 65536, blockSize: 4096 }] },
    connect: () => { throw new Error("no device"); },
  });
  host.registerCommand({ name: "hello", description: "says hello", run: (_a, _o, io) => { io.out("hello from plugin"); } });
};`;

Deno.test("cli config: plugins from deno.json load; a broken one is reported and the rest works", async () => {
  const dir = await project({
    "deno.json": JSON.stringify({
      deltaflash: {
        plugins: ["./good.ts", "./broken.ts", { specifier: "./dup.ts" }],
        target: "board-x",
      },
    }),
    "good.ts": pluginSource("board-x"),
    "dup.ts": pluginSource("board-x"),
    "broken.ts": `export default () => () => { throw new Error("cannot find my chip table"); };`,
  });
  const r = await runCli(["--config", `${dir}/deno.json`, "targets"]);
  equal(r.code, 0, r.stderr);
  match(r.stdout, /board-x\s+demo/);
  match(r.stderr, /broken\.ts: cannot find my chip table/);
  match(r.stderr, /dup\.ts: target name 'board-x' is already registered/);
  const hello = await runCli(["--config", `${dir}/deno.json`, "hello"]);
  equal(hello.code, 0);
  equal(hello.stdout, "hello from plugin");
});

Deno.test("cli config: invalid keys are reported with their path", async () => {
  const dir = await project({
    "deltaflash.jsonc": `{
      // comments are fine
      "images": [{ "file": "app.bin", "address": "ten" }],
    }`,
  });
  const r = await runCli(["--config", `${dir}/deltaflash.jsonc`, "targets"]);
  equal(r.code, 2);
  match(r.stderr, /images\[0\]\.address/);
  const dir2 = await project({ "deno.json": JSON.stringify({ deltaflash: { baud: "fast" } }) });
  const r2 = await runCli(["--config", `${dir2}/deno.json`, "targets"]);
  match(r2.stderr, /deltaflash\.baud/);
  const dir3 = await project({ "deno.json": `{ "deltaflash": { "target": "x", } ` });
  const r3 = await runCli(["--config", `${dir3}/deno.json`, "targets"]);
  equal(r3.code, 2);
  match(r3.stderr, /deno\.json:1:/);
});

Deno.test("cli plan --against: host-side plan without a device", async () => {
  const dir = await project({
    "deno.json": JSON.stringify({ deltaflash: { plugins: ["./good.ts"], target: "board-x" } }),
    "good.ts": pluginSource("board-x"),
  });
  const a = new Uint8Array(5 * 4096).fill(7);
  const b = a.slice();
  b[2 * 4096 + 5] = 8;
  await Deno.writeFile(`${dir}/a.bin`, a);
  await Deno.writeFile(`${dir}/b.bin`, b);
  const r = await runCli([
    "--config",
    `${dir}/deno.json`,
    "plan",
    `${dir}/b.bin@0x1000`,
    "--against",
    `${dir}/a.bin@0x1000`,
    "--json",
  ]);
  equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  deepEqual(j.plan.changed, [0x3000]);
  equal(j.plan.totals.write, 1);
});

Deno.test("cli -O key=value reaches the target's connect options", async () => {
  const r = await runCli([
    "info",
    "--target",
    "esp32c3",
    "--port",
    "sim:esp32c3",
    "-O",
    "flashSize=2MB",
    "--json",
  ]);
  equal(r.code, 0, r.stderr);
  equal(JSON.parse(r.stdout).regions[0].size, 2 * 1024 * 1024);
  equal(
    (await runCli(["info", "--target", "esp32c3", "--port", "sim:esp32c3", "-O", "novalue"])).code,
    2,
  );
});
