/**
 * Config files as users paste them: a bad config reports every schema error at once, and a
 * deltaflash.json accepts the settings bare or under a `deltaflash` key (as in deno.json).
 *
 * @module
 */
import { equal, match } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runCliProcess } from "./support/run_cli.ts";

Deno.test("a bad config reports every schema error, each with its path", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/deno.json`,
    JSON.stringify({
      deltaflash: {
        target: "esp32c3",
        baud: "fast",
        images: [{ file: "a.bin", address: "zz" }],
        pipeline: { mode: "sideways" },
        bogus: 1,
      },
    }),
  );
  const r = await runCliProcess(dir, "flash");
  equal(r.code, 2);
  match(r.stderr, /deno\.json: 4 problems: /);
  match(r.stderr, /deltaflash\.baud: /);
  match(r.stderr, /deltaflash\.images\[0\]\.address: expected a number or a hex string/);
  match(r.stderr, /deltaflash\.pipeline\.mode: /);
  match(r.stderr, /deltaflash: Unrecognized key: "bogus"/);
  match(r.stderr, /hint: see the configuration section of README\.md/);
});

Deno.test("deltaflash.json takes the settings bare or under the deltaflash key", async () => {
  const settings = { target: "esp32c3", images: ["app.bin@0x10000"] };
  for (const shape of [settings, { deltaflash: settings }]) {
    const dir = await Deno.makeTempDir();
    await Deno.copyFile(
      fileURLToPath(new URL("../examples/firmware/dist/esp32c3-blink-v1.bin", import.meta.url)),
      `${dir}/app.bin`,
    );
    await Deno.writeTextFile(`${dir}/deltaflash.json`, JSON.stringify(shape));
    const r = await runCliProcess(dir, "plan", "--against", "app.bin@0x10000");
    equal(r.code, 0, r.stderr);
    match(r.stdout, /would write 0 of 9 blocks/);
  }
});
