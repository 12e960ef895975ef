// What a plan says about the device is what is known: blocks `auto` writes without hashing are
// "assumed changed" (JSON, sector map, summary), and a plan made on the host (`--against`)
// rounds a blank device's 64 KiB erase blocks as the plan against the device does.
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { runCli } from "./support/run_cli.ts";
import { pseudoRandom } from "./support/random.ts";

const SECTOR = 4096;

async function files(parts: Record<string, Uint8Array>): Promise<string> {
  const dir = await Deno.makeTempDir();
  for (const [name, data] of Object.entries(parts)) await Deno.writeFile(`${dir}/${name}`, data);
  return dir;
}

Deno.test("auto: blocks written without hashing are 'assumed changed', not 'changed'", async () => {
  const dir = await files({
    "a.bin": pseudoRandom(256 * SECTOR, 1),
    "b.bin": pseudoRandom(256 * SECTOR, 2),
  });
  const port = `sim:esp32c3?state=${dir}/chip.bin`;
  const flash = ["--target", "esp32c3", "--port", port];
  equal((await runCli(["flash", ...flash, `${dir}/a.bin@0x10000`])).code, 0);
  // Every sector differs: auto samples, sees a dense change and writes the rest unasked.
  const r = await runCli(["plan", ...flash, `${dir}/b.bin@0x10000`, "--json"]);
  equal(r.code, 0, r.stderr);
  const p = JSON.parse(r.stdout).plan;
  ok(p.assumedChanged.length > 0, "some blocks were never hashed");
  equal(p.totals.assumed, p.assumedChanged.length);
  equal(p.changed.filter((a: number) => p.assumedChanged.includes(a)).length, 0);
  equal(p.changed.length + p.assumedChanged.length, p.totals.write);
  const text = await runCli(["plan", ...flash, `${dir}/b.bin@0x10000`]);
  match(text.stderr, /^00010000 {2}\?+/m);
  match(text.stderr, /\? assumed changed \(not hashed\)/);
  match(
    text.stdout,
    /would write 256 of 256 sectors \(1 MiB\) \(\d+ assumed changed, not hashed\)/,
  );
  // One changed byte is found by hashing: changed, nothing assumed.
  const one = pseudoRandom(256 * SECTOR, 1);
  one[77 * SECTOR + 5] ^= 0xff;
  await Deno.writeFile(`${dir}/c.bin`, one);
  const sparse = JSON.parse(
    (await runCli(["plan", ...flash, `${dir}/c.bin@0x10000`, "--json"])).stdout,
  ).plan;
  deepEqual(sparse.changed, [0x10000 + 77 * SECTOR]);
  deepEqual(sparse.assumedChanged, []);
});

Deno.test("a blank device: the host-side plan rounds 64 KiB erase blocks as the device plan does", async () => {
  // Two 64 KiB blocks: 13 sectors of code then 3 erased ones, and one with a single erased
  // sector; then a partly covered block, which is never rounded.
  const image = pseudoRandom(40 * SECTOR, 3);
  image.fill(0xff, 13 * SECTOR, 16 * SECTOR);
  image.fill(0xff, 20 * SECTOR, 21 * SECTOR);
  image.fill(0xff, 35 * SECTOR, 36 * SECTOR);
  const dir = await files({ "new.bin": image, "blank.bin": new Uint8Array(SECTOR).fill(0xff) });
  const device = await runCli([
    "plan",
    "--target",
    "esp32c3",
    "--port",
    `sim:esp32c3?state=${dir}/chip.bin`,
    `${dir}/new.bin@0x10000`,
    "--json",
  ]);
  equal(device.code, 0, device.stderr);
  const host = await runCli([
    "plan",
    "--target",
    "esp32c3",
    `${dir}/new.bin@0x10000`,
    "--against",
    `${dir}/blank.bin@0x10000`,
    "--json",
  ]);
  equal(host.code, 0, host.stderr);
  const onDevice = JSON.parse(device.stdout).plan, onHost = JSON.parse(host.stdout).plan;
  deepEqual(onHost.changed, onDevice.changed);
  deepEqual(onHost.rounded, onDevice.rounded);
  deepEqual(onHost.totals.write, onDevice.totals.write);
  // The first block is written whole: its erased sectors are known to match, so they are
  // "rounded", not "changed"; the partly covered block leaves its erased sector alone.
  deepEqual(onDevice.rounded, [13, 14, 15, 20].map((k) => 0x10000 + k * SECTOR));
  ok(!onDevice.changed.includes(0x10000 + 14 * SECTOR));
  ok(![...onDevice.changed, ...onDevice.rounded].includes(0x10000 + 35 * SECTOR));
});
