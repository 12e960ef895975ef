// The flash record: a second flash of the same board predicts what changed from the record of
// the first, writes only that, and confirms every other block by hashing; a record made wrong
// by another tool is caught before the run ends, and the run compares and writes again.
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runCli } from "./support/run_cli.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const dist = `${root}examples/firmware/dist`;
const v1 = `${dist}/esp32c3-blink-v1.bin`, v2 = `${dist}/esp32c3-blink-v2.bin`;
const APP = 0x10000, SECTOR = 0x1000;

async function setup() {
  const dir = await Deno.makeTempDir();
  const state = `${dir}/chip.bin`;
  const flash = (file: string, records: string | null, ...extra: string[]) =>
    runCli([
      "flash",
      "--target",
      "esp32c3",
      "--port",
      `sim:esp32c3?state=${state}`,
      `${file}@0x10000`,
      "--json",
      ...extra,
    ], records);
  /** True when the simulated chip's flash holds `file` at the app offset. */
  const holds = async (file: string) => {
    const want = await Deno.readFile(file);
    const have = (await Deno.readFile(state)).subarray(APP, APP + want.length);
    return have.every((b, i) => b === want[i]);
  };
  return { dir, flash, holds, records: `${dir}/records` };
}

/** Sectors of the app in which v1 and v2 differ. */
async function changedSectors(): Promise<number[]> {
  const [a, b] = [await Deno.readFile(v1), await Deno.readFile(v2)];
  const out: number[] = [];
  for (let s = 0; s * SECTOR < Math.max(a.length, b.length); s++) {
    const x = a.subarray(s * SECTOR, (s + 1) * SECTOR),
      y = b.subarray(s * SECTOR, (s + 1) * SECTOR);
    if (x.length !== y.length || x.some((v, i) => v !== y[i])) out.push(APP + s * SECTOR);
  }
  return out;
}

Deno.test("a second flash writes what the record says changed and confirms the rest", async () => {
  const { flash, holds, records } = await setup();
  const first = await flash(v1, records);
  equal(first.code, 0, first.stderr);
  const files = [...Deno.readDirSync(records)].map((e) => e.name);
  deepEqual(files, ["esp32c3_58_cf_79_00_00_05.json"]);
  const second = await flash(v2, records);
  equal(second.code, 0, second.stderr);
  const out = JSON.parse(second.stdout);
  const changed = await changedSectors();
  ok(changed.length > 0 && changed.length < 9);
  // Written unasked on the record's word, exactly the sectors that changed.
  deepEqual(out.plan.assumedChanged, changed);
  equal(out.plan.totals.write, changed.length);
  // Every touched block verified: the written ones and those the record said were unchanged.
  equal(out.verified.blocks, out.plan.totals.blocks);
  ok(await holds(v2));
  doesNotWarn(second.stderr);
});

Deno.test("a record another tool made wrong is caught, and the run writes what differs", async () => {
  const { flash, holds, records } = await setup();
  equal((await flash(v1, records)).code, 0);
  // Another tool (here: a run that keeps no record) puts v2 on the board.
  equal((await flash(v2, records, "--no-record")).code, 0);
  ok(await holds(v2));
  // The record still says v1: it predicts nothing to write, and verify finds that untrue.
  const back = await flash(v1, records);
  equal(back.code, 0, back.stderr);
  match(back.stderr, /did not hold what this device's flash record says/);
  equal(JSON.parse(back.stdout).plan.totals.write, (await changedSectors()).length);
  ok(await holds(v1));
  // And the record is right again.
  const again = await flash(v1, records);
  equal(again.code, 0);
  doesNotWarn(again.stderr);
  equal(JSON.parse(again.stdout).plan.totals.write, 0);
});

Deno.test("an unreadable record counts as none", async () => {
  const { flash, holds, records } = await setup();
  equal((await flash(v1, records)).code, 0);
  const [name] = [...Deno.readDirSync(records)].map((e) => e.name);
  await Deno.writeTextFile(`${records}/${name}`, "{ not json");
  const run = await flash(v2, records);
  equal(run.code, 0, run.stderr);
  deepEqual(JSON.parse(run.stdout).plan.assumedChanged, []);
  ok(await holds(v2));
  // Rewritten whole.
  ok(JSON.parse(await Deno.readTextFile(`${records}/${name}`)).algorithm === "md5");
});

Deno.test("--no-verify neither trusts nor keeps a record", async () => {
  const { flash, records } = await setup();
  equal((await flash(v1, records, "--no-verify")).code, 0);
  equal(await Deno.stat(records).then(() => true, () => false), false);
});

function doesNotWarn(stderr: string) {
  ok(!/flash record/.test(stderr), stderr);
}

Deno.test("a verified full flash leaves a record the next diff flash uses", async () => {
  const { flash, holds, records } = await setup();
  equal((await flash(v1, records, "--mode", "full")).code, 0);
  const next = await flash(v2, records);
  equal(next.code, 0, next.stderr);
  deepEqual(JSON.parse(next.stdout).plan.assumedChanged, await changedSectors());
  ok(await holds(v2));
});
