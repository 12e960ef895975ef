/**
 * The micro:bit / nRF suite: every scenario × strategy, plus dapjs as the real peer.
 *
 * @module
 */
import { type DapjsThroughput, dapjsThroughput } from "./dapjs_peer.ts";
import { harnessAttempt } from "./harness.ts";
import { round, scenarioRows, type StrategyResult } from "./measure.ts";
import { NRF_STRATEGIES, nrfBound, preloadNrf, runNrf } from "./nrf.ts";
import type { BenchRow } from "./report.ts";
import { haveFirmware, nrfScenarios } from "./scenarios.ts";
import { type BenchSuite, select } from "./params.ts";
import { loadFor } from "./harness.ts";

/** micro:bit V1/V2 and nRF52840 on the simulated DAPLink. */
export function nrfSuite(): BenchSuite {
  return {
    name: "nrf",
    async run(p) {
      if (!await haveFirmware()) {
        console.error("nrf suite skipped: ../shared/firmware is absent");
        return [];
      }
      const rows: BenchRow[] = [];
      const dapjs = new Map<string, DapjsThroughput>();
      for (const sc of select(nrfScenarios(), p)) {
        const results: StrategyResult[] = [];
        for (const s of NRF_STRATEGIES) {
          const metrics = await harnessAttempt(() => runNrf(sc, s, p));
          results.push({
            strategy: s.name,
            role: s.role,
            label: "label" in s ? s.label : undefined,
            metrics,
          });
        }
        if (!dapjs.has(sc.target)) dapjs.set(sc.target, await dapjsThroughput(sc.target));
        const t = dapjs.get(sc.target)!;
        const { registry } = await preloadNrf(sc);
        const bytes = (await loadFor(registry, sc.target, sc.new)).byteCount;
        // What dapjs would need just to move the image, at its measured rate, after connecting.
        results.push({
          strategy: "dapjs 2.3.0 image transfer only (real peer)",
          role: "peer",
          label: "dapjs",
          metrics: {
            ms: t.connectMs + bytes * t.ms / t.bytes,
            connectMs: t.connectMs,
            bytesOut: Math.round(bytes * t.packets / t.bytes) * 64,
            bytesIn: Math.round(bytes * t.packets / t.bytes) * 64,
            roundTrips: Math.round(bytes * t.packets / t.bytes),
            erased: 0,
            programmedKiB: 0,
          },
        });
        const connects = results.slice(0, NRF_STRATEGIES.length).flatMap((r) =>
          "connectMs" in r.metrics ? [r.metrics.connectMs] : []
        );
        const bound = await nrfBound(sc, connects.length ? Math.min(...connects) : 0);
        rows.push(...scenarioRows(sc.suite, sc.name, results, bound));
      }
      for (const [target, t] of dapjs) {
        rows.push({
          suite: `${target} dapjs`,
          scenario: `writeBlock ${t.bytes / 1024} KiB to RAM`,
          strategy: "dapjs 2.3.0 (real peer)",
          kind: "modelled",
          ms: round(t.ms),
          extra: {
            connect: round(t.connectMs),
            "round trips": t.packets,
            "KiB/s": round(t.bytes / t.ms * 1000 / 1024),
          },
        });
      }
      return rows;
    },
  };
}
