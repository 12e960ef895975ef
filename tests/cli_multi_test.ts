import { equal, match } from "node:assert/strict";
import { runCli } from "./support/run_cli.ts";

// A user plugin with an in-memory device per port name; `mem:bad` cannot be opened.
const plugin = `
import { createHash } from "node:crypto";
const devices = new Map();
export default () => (host) => host.registerTarget({
  name: "membox", family: "test", description: "memory boards", link: "serial", hash: "md5",
  layout: { regions: [{ name: "flash", start: 0, size: 65536, blockSize: 4096 }] },
  async connect(ctx, { port }) {
    if (port === "mem:bad") throw Object.assign(new Error("cannot open mem:bad"), {});
    if (!devices.has(port)) devices.set(port, new Uint8Array(65536).fill(0xff));
    const flash = devices.get(port);
    return {
      info: { chip: "membox" }, layout: this.layout, hashAlgorithms: ["md5"], hashGranularity: "any",
      hash: async (_c, _a, ranges) => ranges.map((r) =>
        new Uint8Array(createHash("md5").update(flash.subarray(r.start, r.end)).digest())),
      read: async (_c, a, n) => flash.slice(a, a + n),
      program: async (c, runs) => { for (const r of runs) { flash.set(r.data, r.address);
        c.emit({ type: "progress", stage: "write", done: r.data.length, total: r.data.length, unit: "bytes" }); } },
      close: async () => {},
    };
  },
});`;

Deno.test("flash many boards: each independent, a failing board is reported, the others finish", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/membox.ts`, plugin);
  await Deno.writeTextFile(
    `${dir}/deltaflash.json`,
    JSON.stringify({ plugins: ["./membox.ts"], target: "membox" }),
  );
  await Deno.writeFile(`${dir}/app.bin`, new Uint8Array(3 * 4096).fill(0x42));
  const argv = [
    "--config",
    `${dir}/deltaflash.json`,
    "flash",
    `${dir}/app.bin@0x1000`,
    "-p",
    "mem:a",
    "-p",
    "mem:bad",
    "-p",
    "mem:c",
  ];
  const r = await runCli(argv);
  equal(r.code, 1, r.stderr);
  match(r.stdout, /mem:a\s+ok\s+3\/3/);
  match(r.stdout, /mem:bad\s+FAILED\s+cannot open mem:bad/);
  match(r.stdout, /mem:c\s+ok\s+3\/3/);
  match(r.stdout, /2 of 3 boards flashed, 1 failed/);
  const again = await runCli(
    argv.filter((a) => a !== "mem:bad").filter((a, i, all) => !(a === "-p" && all[i + 1] === "-p")),
  );
  equal(again.code, 0, again.stdout + again.stderr);
  match(again.stdout, /mem:a\s+ok\s+0\/3/);
});
