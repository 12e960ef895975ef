/**
 * Host-side planning (`plan --against`, no device) over a 16 MiB flash: the flash size comes from
 * -O flashSize, config, or the image itself, never silently less, and bytes outside it are an
 * error.
 */
import { deepEqual, equal, match } from "node:assert/strict";
import { mergedImage } from "./support/esp_images.ts";
import { runCli } from "./support/run_cli.ts";

const MIB = 1 << 20;
const CHANGED = [0x10000, 0x800000, 0xfff000]; // the factory app, mid-storage, the last sector

async function pair(): Promise<{ dir: string; old: string; new: string }> {
  const dir = await Deno.makeTempDir();
  const before = mergedImage({ flash: 16 * MIB });
  const after = before.slice();
  for (const a of CHANGED) after[a + 100] ^= 0x5a;
  await Deno.writeFile(`${dir}/old.bin`, before);
  await Deno.writeFile(`${dir}/new.bin`, after);
  return { dir, old: `${dir}/old.bin@0x0`, new: `${dir}/new.bin@0x0` };
}

Deno.test("cli plan --against: a 16 MiB pair plans all 4096 sectors, 3 changed", async () => {
  const p = await pair();
  const r = await runCli(["plan", "--target", "esp32", p.new, "--against", p.old]);
  equal(r.code, 0, r.stderr);
  match(r.stdout, /would write 3 of 4096 blocks \(12 KiB\), 4093 unchanged/);
  const j = await runCli(["plan", "--target", "esp32", p.new, "--against", p.old, "--json"]);
  equal(j.code, 0, j.stderr);
  const plan = JSON.parse(j.stdout).plan;
  deepEqual(plan.changed, CHANGED);
  equal(plan.totals.blocks, 4096);
  const sized = await runCli([
    "plan",
    "--target",
    "esp32",
    "-O",
    "flashSize=16MB",
    p.new,
    "--against",
    p.old,
  ]);
  equal(sized.code, 0, sized.stderr);
  match(sized.stdout, /would write 3 of 4096 blocks/);
});

Deno.test("cli plan --against: flashSize from config is honoured", async () => {
  const p = await pair();
  await Deno.writeTextFile(
    `${p.dir}/deno.json`,
    JSON.stringify({ deltaflash: { target: "esp32", options: { flashSize: "4MB" } } }),
  );
  const r = await runCli(["plan", "--config", `${p.dir}/deno.json`, p.new, "--against", p.old]);
  equal(r.code, 1, r.stdout);
  match(r.stderr, /has bytes at 0x400000, outside esp32's flash/);
});

Deno.test("cli plan --against: bytes past -O flashSize are an error, not dropped", async () => {
  const p = await pair();
  const r = await runCli([
    "plan",
    "--target",
    "esp32",
    "-O",
    "flashSize=4MB",
    p.new,
    "--against",
    p.old,
  ]);
  equal(r.code, 1, r.stdout);
  match(r.stderr, /new\.bin has bytes at 0x400000, outside esp32's flash/);
  match(r.stderr, /hint: flash regions: flash 0x0–0x400000/);
});
