/**
 * A Markdown digest of the modelled rows: per scenario, our best strategy against the lower
 * bound and against each peer, so "who leads where" reads at a glance.
 *
 * @module
 */
import type { BenchRow } from "./report.ts";

const s = (ms: number) => Number.isFinite(ms) ? (ms / 1000).toFixed(ms < 10_000 ? 2 : 1) : "–";

/** Markdown tables, one per family (`esp`, `nrf`), from modelled rows. */
export function summary(rows: readonly BenchRow[], header: string): string {
  const groups = new Map<string, BenchRow[]>();
  for (const r of rows) {
    if (r.kind !== "modelled") continue;
    const k = `${r.suite} · ${r.scenario}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const out: string[] = [header, ""];
  for (const family of ["esp", "nrf"]) {
    const scenarios = [...groups.entries()].filter(([, rs]) =>
      rs.some((r) => r.strategy.startsWith("deltaflash")) &&
      (family === "esp") === rs[0].suite.startsWith("esp")
    );
    if (!scenarios.length) continue;
    const peers = [
      ...new Set(
        scenarios.flatMap(([, rs]) => rs.map((r) => r.strategy)).filter((n) =>
          !n.startsWith("deltaflash") && n !== "lower bound"
        ),
      ),
    ];
    out.push(
      `| scenario | best of ours | s | ÷LB | ${peers.map((p) => `${p} s (ours ÷)`).join(" | ")} |`,
      `|---|---|---|---|${peers.map(() => "---").join("|")}|`,
    );
    for (const [name, rs] of scenarios) {
      const ours = rs.filter((r) => r.strategy.startsWith("deltaflash") && Number.isFinite(r.ms));
      if (!ours.length) continue;
      const best = ours.reduce((a, b) => b.ms < a.ms ? b : a);
      const cells = peers.map((p) => {
        const r = rs.find((x) => x.strategy === p);
        return r && Number.isFinite(r.ms) ? `${s(r.ms)} (${(best.ms / r.ms).toFixed(2)})` : "–";
      });
      const label = best.strategy.replace(/^deltaflash ?/, "") || "deltaflash";
      out.push(
        `| ${name} | ${label} | ${s(best.ms)} | ${best.extra["÷LB"]} | ${cells.join(" | ")} |`,
      );
    }
    out.push("");
  }
  return out.join("\n");
}
