/**
 * Modelled benchmark numbers depend only on the models, never on the host: a small scenario
 * run twice gives exactly the same rows, and the runs really flash the device.
 */
import assert from "node:assert/strict";
import { ESP_STRATEGIES, espBound, runEsp } from "./esp.ts";
import { NRF_STRATEGIES, nrfBound, runNrf } from "./nrf.ts";
import { type RunMetrics, scenarioRows, type StrategyResult } from "./measure.ts";
import { haveFirmware, pseudoRandom, type Scenario } from "./scenarios.ts";

const params = { quick: true, baud: 921600 };

function tinyEsp(): Scenario {
  const old = pseudoRandom(64 * 1024, 3);
  const next = old.slice();
  next[5 * 4096 + 9] ^= 0x40;
  next.set(pseudoRandom(100, 4), 12 * 4096);
  const input = (file: string, bytes: Uint8Array) => ({
    file,
    address: 0x20000,
    bytes,
    format: "bin",
  });
  return {
    family: "esp",
    suite: "test",
    name: "two sectors",
    target: "esp32c3",
    address: "sim:esp32c3",
    old: [input("old.bin", old)],
    new: [input("new.bin", next)],
    quick: true,
  };
}

async function espRows(sc: Scenario) {
  const results: StrategyResult[] = [];
  for (const s of ESP_STRATEGIES) {
    results.push({ strategy: s.name, role: s.role, metrics: await runEsp(sc, s, params) });
  }
  const connect = Math.min(...results.map((r) => (r.metrics as RunMetrics).connectMs));
  return {
    results,
    rows: scenarioRows(sc.suite, sc.name, results, await espBound(sc, params, connect)),
  };
}

Deno.test("ESP modelled rows are identical across two runs; every strategy flashes the image", async () => {
  const sc = tinyEsp();
  const a = await espRows(sc);
  const b = await espRows(sc);
  assert.deepEqual(a.rows, b.rows);
  for (const r of a.results) {
    const m = r.metrics as RunMetrics;
    assert.equal(m.ok, true, r.strategy);
    assert.ok(m.ms > 0 && m.bytesOut > 0 && m.roundTrips > 0, r.strategy);
  }
  const by = (name: string) =>
    a.results.find((r) => r.strategy.includes(name))!.metrics as RunMetrics;
  assert.equal(by("full").erased, 16, "full flash erases every sector of the image");
  assert.equal(by("deltaflash auto").erased, 2, "ours erases only the two changed sectors");
  assert.equal(by("diff-with").erased, 2);
  assert.equal(by("espflash").erased, 16, "one changed byte makes espflash rewrite the segment");
});

Deno.test({
  name:
    "nRF modelled rows are identical across two runs (micro:bit V2, MakeCode Dice → Flashing-Heart)",
  ignore: !await haveFirmware(),
  async fn() {
    const { nrfScenarios } = await import("./scenarios.ts");
    const sc = nrfScenarios().find((s) =>
      s.target === "microbit-v2" && s.name.startsWith("Dice→")
    )!;
    const rows = async () => {
      const results: StrategyResult[] = [];
      for (const s of NRF_STRATEGIES.filter((s) => s.name !== "full flash")) {
        results.push({ strategy: s.name, role: s.role, metrics: await runNrf(sc, s, params) });
      }
      const connect = Math.min(...results.map((r) => (r.metrics as RunMetrics).connectMs));
      return {
        results,
        rows: scenarioRows(sc.suite, sc.name, results, await nrfBound(sc, connect)),
      };
    };
    const a = await rows();
    const b = await rows();
    assert.deepEqual(a.rows, b.rows);
    for (const r of a.results) {
      assert.equal((r.metrics as RunMetrics).ok, true, r.strategy);
      assert.equal(
        (r.metrics as RunMetrics).erased,
        1,
        `${r.strategy} erases the one changed page`,
      );
    }
  },
});
