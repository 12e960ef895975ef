/**
 * The modelled benchmark suites (simulated links and devices in virtual time): every
 * scenario × strategy, each run on a fresh simulator and clock.
 *
 * @module
 */
import { ESP_STRATEGIES, espBound, runEsp } from "./esp.ts";
import { runEsptoolJs } from "./esptool_js.ts";
import { harnessAttempt } from "./harness.ts";
import { scenarioRows, type StrategyResult } from "./measure.ts";
import { nrfSuite } from "./nrf_suite.ts";
import type { BenchRow } from "./report.ts";
import { type BenchSuite, select } from "./params.ts";
import { espScenarios, haveFirmware } from "./scenarios.ts";

export type { BenchParams, BenchSuite } from "./params.ts";
export { select } from "./params.ts";

/** ESP: peers and our hash strategies on the simulated ESP32 / ESP32-C3. */
export function espSuite(): BenchSuite {
  return {
    name: "esp",
    async run(p) {
      if (!await haveFirmware()) {
        console.error("esp suite skipped: ../shared/firmware is absent");
        return [];
      }
      const rows: BenchRow[] = [];
      for (const sc of select(await espScenarios(), p)) {
        const results: StrategyResult[] = [];
        for (const s of ESP_STRATEGIES) {
          const metrics = await harnessAttempt(() => runEsp(sc, s, p));
          results.push({
            strategy: s.name,
            role: s.role,
            label: "label" in s ? s.label : undefined,
            metrics,
          });
        }
        results.push({
          strategy: "esptool-js 0.7.0 (real peer)",
          role: "peer",
          label: "esptool-js",
          metrics: await harnessAttempt(() => runEsptoolJs(sc, p)),
        });
        const connects: number[] = results.slice(0, ESP_STRATEGIES.length).flatMap((r) =>
          "connectMs" in r.metrics ? [r.metrics.connectMs] : []
        );
        const bound = await espBound(sc, p, connects.length ? Math.min(...connects) : 0);
        rows.push(...scenarioRows(sc.suite, sc.name, results, bound));
      }
      return rows;
    },
  };
}

/** All modelled suites. */
export function modelledSuites(): BenchSuite[] {
  return [espSuite(), nrfSuite()];
}
