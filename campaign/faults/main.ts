/**
 * `deno task faults [--quick] [--seed N] [--trials N] [--family NAME] [--fault KIND]
 * [--json FILE] [--verbose] [--replay FAMILY:FAULT:TRIAL]` (`--trials`: per fault kind; by
 * default the full run gives each family 1,050 trials spread over its fault kinds; `--replay`
 * runs one trial again and prints its verdict): seeded fault injection on the simulated links and devices; after each
 * fault the same command is rerun. Reports trials, held, clear errors, untyped, silently
 * wrong, stuck and repaired per fault kind; exits 1 unless every trial ended well.
 *
 * @module
 */
import { espFamily } from "./esp.ts";
import type { FaultFamily } from "./family.ts";
import { gdbFamily } from "./gdb.ts";
import { nrfFamily } from "./nrf.ts";
import { allHeld, type FaultReport, runFaults, trialRng } from "./runner.ts";
import { runTrial } from "./trial.ts";
import { numberArg, parseTaskArgs } from "../../tools/task_args.ts";

const USAGE =
  "deno task faults [--quick] [--seed N] [--trials N] [--family NAME] [--fault NAME] [--json FILE] [--verbose] [--replay FAMILY:FAULT:TRIAL]";

/** Trials per family in the full run (spread evenly over its fault kinds). */
export const FULL_TRIALS_PER_FAMILY = 1050;
/** Trials per fault kind in the CI slice. */
export const QUICK_TRIALS = 3;

/** Every family. */
export function faultFamilies(): FaultFamily[] {
  return [espFamily(), nrfFamily(), gdbFamily()];
}

/** The report as a table, plus the findings. */
export function renderFaultReport(r: FaultReport): string {
  const head = [
    "family",
    "fault",
    "trials",
    "held",
    "clear error",
    "untyped",
    "silently wrong",
    "stuck",
    "repaired",
  ];
  const rows = [head];
  const totals = new Map<string, number[]>();
  for (const [family, faults] of Object.entries(r.families)) {
    for (const [fault, s] of Object.entries(faults)) {
      const nums = [
        s.trials,
        s.held,
        s.clearError,
        s.untyped,
        s.silentlyWrong,
        s.stuck,
        s.repaired,
      ];
      rows.push([family, fault, ...nums.map(String)]);
      const t = totals.get(family) ?? nums.map(() => 0);
      totals.set(family, t.map((v, i) => v + nums[i]));
    }
  }
  for (const [family, t] of totals) rows.push([family, "all", ...t.map(String)]);
  const widths = head.map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const lines = rows.map((row) =>
    row.map((cell, c) => (c > 1 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join("  ")
  );
  lines.push(`seed ${r.seed}, ${(r.wallMs / 1000).toFixed(1)} s`);
  for (const [family, faults] of Object.entries(r.families)) {
    for (const [fault, s] of Object.entries(faults)) {
      for (const f of s.findings) {
        lines.push(
          `finding ${family}/${fault} trial ${f.trial}: ${f.first}` +
            (f.detail ? ` (${f.detail})` : "") + (f.rerun ? `; rerun: ${f.rerun}` : ""),
        );
      }
    }
  }
  return lines.join("\n");
}

if (import.meta.main) {
  const values = parseTaskArgs(Deno.args, {
    quick: { type: "boolean" },
    seed: { type: "string" },
    trials: { type: "string" },
    family: { type: "string" },
    fault: { type: "string" },
    json: { type: "string" },
    verbose: { type: "boolean" },
    replay: { type: "string" },
  }, USAGE);
  const seedArg = numberArg("seed", values.seed, USAGE) ?? 1;
  const trialsArg = numberArg("trials", values.trials, USAGE);
  if (values.replay) {
    const [name, fault, trial] = values.replay.split(":");
    const family = faultFamilies().find((f) => f.name === name);
    if (!family || !(fault in family.faults)) throw new Error(`no fault ${values.replay}`);
    await family.prepare();
    const steps = await family.trial(
      fault,
      trialRng(seedArg, name, fault, +trial),
    );
    console.log(steps ? await runTrial(steps) : "the fault point falls after the end of the run");
    Deno.exit(0);
  }
  const families = faultFamilies().filter((f) => !values.family || f.name === values.family);
  const report = await runFaults({
    seed: seedArg,
    trials: (family) =>
      trialsArg !== undefined
        ? trialsArg
        : values.quick
        ? QUICK_TRIALS
        : Math.ceil(FULL_TRIALS_PER_FAMILY / Object.keys(family.faults).length),
    families,
    fault: values.fault,
    onTrial: values.verbose
      ? (family, fault, i, r) => console.error(`${family}/${fault} #${i}: ${JSON.stringify(r)}`)
      : undefined,
  });
  console.log(renderFaultReport(report));
  if (values.json) Deno.writeTextFileSync(values.json, JSON.stringify(report, null, 2) + "\n");
  Deno.exit(allHeld(report) ? 0 : 1);
}
