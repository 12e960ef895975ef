/**
 * `deno task faults [--quick] [--seed N] [--trials N] [--family NAME] [--fault KIND]
 * [--json FILE]`: seeded fault injection on the simulated links and devices; after each
 * fault the same command is rerun. Reports trials, held, clear errors, untyped, silently
 * wrong, stuck and repaired per fault kind; exits 1 unless every trial ended well.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { espFamily } from "./esp.ts";
import type { FaultFamily } from "./family.ts";
import { gdbFamily } from "./gdb.ts";
import { nrfFamily } from "./nrf.ts";
import { allHeld, type FaultReport, runFaults } from "./runner.ts";

/** Trials per fault kind: full run and CI slice. */
export const FULL_TRIALS = 150;
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
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      quick: { type: "boolean" },
      seed: { type: "string" },
      trials: { type: "string" },
      family: { type: "string" },
      fault: { type: "string" },
      json: { type: "string" },
      verbose: { type: "boolean" },
    },
  });
  const families = faultFamilies().filter((f) => !values.family || f.name === values.family);
  const report = await runFaults({
    seed: Number(values.seed ?? 1),
    trials: Number(values.trials ?? (values.quick ? QUICK_TRIALS : FULL_TRIALS)),
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
