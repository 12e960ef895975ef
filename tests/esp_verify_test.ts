// Verify names the bad block: when the MD5 of a multi-sector run fails, the run is re-hashed
// sector by sector; the error and the sector map name exactly the failing sectors, and the
// rerun rewrites only them. The simulated chip has flash cells stuck at 1.
import { deepEqual, equal, match } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runCli } from "./support/run_cli.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const file = `${root}examples/firmware/dist/esp32c3-blink-v1.bin`;
const APP = 0x10000, SECTOR = 0x1000;

/** Flash addresses in sector `k` of the app whose image byte has a 0 bit (a stuck 1 shows). */
async function cellIn(k: number): Promise<number> {
  const image = await Deno.readFile(file);
  const off = image.subarray(k * SECTOR, (k + 1) * SECTOR).findIndex((b) => b !== 0xff);
  return APP + k * SECTOR + off;
}

Deno.test("verify names exactly the failing sectors of a run; the rerun rewrites only them", async () => {
  const stuck = [await cellIn(3), await cellIn(6)];
  const port = `sim:esp32c3?state=${await Deno.makeTempDir()}/chip.bin&stuck=${stuck.join(",")}`;
  const args = ["--target", "esp32c3", "--port", port, `${file}@0x10000`];
  const bad = [APP + 3 * SECTOR, APP + 6 * SECTOR];
  const first = await runCli(["flash", ...args, "--json"]);
  equal(first.code, 1, first.stderr);
  const error = JSON.parse(first.stdout).error;
  equal(error.code, "E_VERIFY");
  equal(error.message, "verify failed for 2 block(s): 0x13000, 0x16000");
  // The sector map: the bad sectors failed, every other written sector verified.
  const fresh = `sim:esp32c3?state=${await Deno.makeTempDir()}/chip.bin&stuck=${stuck.join(",")}`;
  const text = await runCli(["flash", ...args.with(3, fresh)]);
  equal(text.code, 1);
  match(text.stderr, /^00010000 {2}█{3}✗█{2}✗█{2}$/m);
  // The rerun finds only the bad sectors differing, and writes only them.
  const plan = JSON.parse((await runCli(["plan", ...args, "--json"])).stdout).plan;
  deepEqual(plan.changed, bad);
  equal(plan.totals.write, 2);
  const again = await runCli(["flash", ...args]);
  equal(again.code, 1);
  match(again.stderr, /^00010000 {2}={3}✗={2}✗={2}$/m);
});

Deno.test("a run that verifies whole costs one hash request", async () => {
  const port = `sim:esp32c3?state=${await Deno.makeTempDir()}/chip.bin`;
  const ok = await runCli([
    "flash",
    "--target",
    "esp32c3",
    "--port",
    port,
    `${file}@0x10000`,
    "--json",
  ]);
  equal(ok.code, 0, ok.stderr);
  deepEqual(JSON.parse(ok.stdout).verified, { blocks: 9, requests: 1 });
});
