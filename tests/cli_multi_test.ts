import { equal, match } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runCli } from "./support/run_cli.ts";

const plugin = fileURLToPath(new URL("./support/membox_plugin.ts", import.meta.url));

async function project(): Promise<string> {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/deltaflash.json`,
    JSON.stringify({ plugins: [plugin], target: "membox" }),
  );
  await Deno.writeFile(`${dir}/app.bin`, new Uint8Array(3 * 4096).fill(0x42));
  return dir;
}

Deno.test("flash many boards: each independent, a failing board is reported, the others finish", async () => {
  const dir = await project();
  const cfg = ["--config", `${dir}/deltaflash.json`];
  const boards = (ports: string[]) => ports.flatMap((p) => ["-p", p]);
  const r = await runCli([
    ...cfg,
    "flash",
    `${dir}/app.bin@0x1000`,
    ...boards(["mem:a1", "mem:bad", "mem:c1"]),
  ]);
  equal(r.code, 1, r.stderr);
  match(r.stdout, /mem:a1\s+ok\s+3\/3/);
  match(r.stdout, /mem:bad\s+FAILED\s+cannot open mem:bad \(hint: is it plugged in\?\)/);
  match(r.stdout, /mem:c1\s+ok\s+3\/3/);
  match(r.stdout, /2 of 3 boards flashed, 1 failed/);
  const again = await runCli([
    ...cfg,
    "flash",
    `${dir}/app.bin@0x1000`,
    ...boards(["mem:a1", "mem:c1"]),
  ]);
  equal(again.code, 0, again.stdout + again.stderr);
  match(again.stdout, /mem:a1\s+ok\s+0\/3/);
});

Deno.test("device commands: info, read-flash, erase-region, erase-flash, reset", async () => {
  const dir = await project();
  const cfg = ["--config", `${dir}/deltaflash.json`, "-p", "mem:dev"];
  equal((await runCli([...cfg, "flash", `${dir}/app.bin@0x1000`])).code, 0);
  const info = await runCli([...cfg, "info", "--json"]);
  equal(info.code, 0, info.stderr);
  const j = JSON.parse(info.stdout);
  equal(j.chip, "membox");
  equal(j.details.serial, "MB-0001");
  equal(j.capabilities.join(","), "read,erase,reset,monitor");
  const out = `${dir}/read.bin`;
  equal((await runCli([...cfg, "read-flash", "0x1000", "8K", out])).code, 0);
  const read = await Deno.readFile(out);
  equal(read.length, 8192);
  equal(read.every((b) => b === 0x42), true);
  const bad = await runCli([...cfg, "erase-region", "0x1800", "0x1000"]);
  equal(bad.code, 2);
  match(bad.stderr, /aligned to the 4096-byte block size/);
  equal((await runCli([...cfg, "erase-region", "0x1000", "0x1000"])).code, 0);
  await runCli([...cfg, "read-flash", "0x1000", "0x2000", out]);
  const after = await Deno.readFile(out);
  equal(after[0], 0xff);
  equal(after[4096], 0x42);
  equal((await runCli([...cfg, "erase-flash"])).code, 0);
  await runCli([...cfg, "read-flash", "0x2000", "0x10", out]);
  equal((await Deno.readFile(out))[0], 0xff);
  match((await runCli([...cfg, "reset"])).stdout, /reset/);
});

Deno.test("monitor and flash --monitor print the application's console lines", async () => {
  const dir = await project();
  const cfg = ["--config", `${dir}/deltaflash.json`, "-p", "mem:mon"];
  const m = await runCli([...cfg, "monitor", "--timeout", "2"]);
  equal(m.code, 0, m.stderr);
  equal(m.stdout, "boot: membox\nhello from the app\ntick 1");
  const f = await runCli([...cfg, "flash", `${dir}/app.bin@0x1000`, "--monitor", "--timeout", "2"]);
  equal(f.code, 0, f.stderr);
  match(f.stdout, /wrote 3 of 3 pages[^\n]*\nboot: membox\nhello from the app\ntick 1$/);
});
