/**
 * `deno task fuzz [--quick] [--seed N] [--inputs N] [--workers N] [--target NAME]
 * [--json FILE] [--replay TARGET:INDEX [--save FILE]]`: feeds every parser seeded mutations
 * of real firmware files and reports inputs, typed errors, untyped exceptions, hangs and peak
 * memory. Exits 1 when any input raised an untyped exception or hung. `--replay` rebuilds one
 * input (same seed) and runs it in this process, printing the whole error.
 *
 * @module
 */
import { type FuzzReport, runFuzz } from "./runner.ts";
import { haveFirmware } from "./seeds.ts";
import { buildInput } from "./input.ts";
import { fuzzTargets } from "./targets.ts";
import { numberArg, parseTaskArgs } from "../../tools/task_args.ts";

const USAGE =
  "deno task fuzz [--quick] [--seed N] [--inputs N] [--workers N] [--target NAME] [--json FILE] [--replay TARGET:INDEX] [--save DIR]";

/** Inputs of the full run and of the CI slice, over all targets. */
export const FULL_INPUTS = 100_000;
export const QUICK_INPUTS = 2_200;

/** Splits `total` inputs over the targets by weight. */
export function allocate(total: number, only?: string): Record<string, number> {
  const targets = fuzzTargets("").filter((t) => !only || t.name === only);
  const weight = targets.reduce((n, t) => n + t.weight, 0);
  return Object.fromEntries(targets.map((t) => [t.name, Math.ceil((total * t.weight) / weight)]));
}

const mb = (n: number) => `${(n / 1048576).toFixed(0)} MB`;

/** The report as a plain-text table plus the untyped sites and hangs. */
export function renderReport(r: FuzzReport): string {
  const rows = [["target", "inputs", "ok", "typed", "untyped", "hangs", "slow", "slowest", "heap"]];
  let sum = { inputs: 0, ok: 0, typed: 0, untyped: 0, hangs: 0, slow: 0 };
  for (const [name, t] of Object.entries(r.targets)) {
    rows.push(
      [
        name,
        t.inputs,
        t.ok,
        t.typed,
        t.untyped,
        t.hangs,
        t.slow,
        `${t.maxMs.toFixed(0)} ms`,
        mb(t.peakHeapBytes),
      ].map(String),
    );
    sum = {
      inputs: sum.inputs + t.inputs,
      ok: sum.ok + t.ok,
      typed: sum.typed + t.typed,
      untyped: sum.untyped + t.untyped,
      hangs: sum.hangs + t.hangs,
      slow: sum.slow + t.slow,
    };
  }
  rows.push(
    ["total", sum.inputs, sum.ok, sum.typed, sum.untyped, sum.hangs, sum.slow, "", ""].map(String),
  );
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const lines = rows.map((row) =>
    row.map((cell, c) => c ? cell.padStart(widths[c]) : cell.padEnd(widths[c])).join("  ")
  );
  lines.push(
    `seed ${r.seed}, hang limit ${r.hangMs} ms (a suspect is retried alone with 10×), ` +
      `peak RSS ${mb(r.peakRssBytes)}, ` +
      `${(r.wallMs / 1000).toFixed(1)} s`,
  );
  for (const [name, t] of Object.entries(r.targets)) {
    for (const s of t.untypedSites) {
      lines.push(
        `untyped ${name} ×${s.count}: ${s.signature}: ${s.message} (input ${s.firstIndex})`,
      );
    }
    if (t.hangs) lines.push(`hang ${name}: inputs ${t.hangIndices.join(", ")}`);
  }
  return lines.join("\n");
}

if (import.meta.main) {
  const values = parseTaskArgs(Deno.args, {
    quick: { type: "boolean" },
    seed: { type: "string" },
    inputs: { type: "string" },
    workers: { type: "string" },
    target: { type: "string" },
    json: { type: "string" },
    replay: { type: "string" },
    save: { type: "string" },
  }, USAGE);
  const seed = numberArg("seed", values.seed, USAGE) ?? 1;
  if (values.replay) {
    const [name, index] = values.replay.split(":");
    const dir = Deno.makeTempDirSync({ prefix: "deltaflash-fuzz-" });
    const target = fuzzTargets(dir).find((t) => t.name === name);
    if (!target) throw new Error(`no fuzz target '${name}'`);
    const input = buildInput(target, await target.seeds(), seed, Number(index));
    if (values.save) Deno.writeFileSync(values.save, input);
    try {
      await target.run(input);
      console.log(`${values.replay}: ${input.length} bytes, parsed without error`);
    } catch (e) {
      console.log(`${values.replay}: ${input.length} bytes, threw:`);
      console.log(e);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
    Deno.exit(0);
  }
  if (!(await haveFirmware())) {
    console.log("note: ../shared/firmware is absent; file parsers get random seeds only");
  }
  const total = numberArg("inputs", values.inputs, USAGE) ??
    (values.quick ? QUICK_INPUTS : FULL_INPUTS);
  const inputs = allocate(total, values.target);
  const report = await runFuzz({
    seed,
    inputs,
    workers: numberArg("workers", values.workers, USAGE) ?? 2,
    onProgress: values.quick ? undefined : (d, n) => console.error(`${d}/${n}`),
  });
  console.log(renderReport(report));
  if (values.json) Deno.writeTextFileSync(values.json, JSON.stringify(report, null, 2) + "\n");
  const bad = Object.values(report.targets).some((t) => t.untyped || t.hangs);
  Deno.exit(bad ? 1 : 0);
}
