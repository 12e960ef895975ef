/**
 * What one modelled run yields, the lower bound it is compared with, and the rows (with
 * ratios to the lower bound and to every peer of the same scenario) built from them.
 *
 * @module
 */
import type { BenchRow } from "./report.ts";

/** Outcome of one strategy on one scenario, all from the simulated device and link. */
export interface RunMetrics {
  /** Modelled total, connect included (ms). */
  readonly ms: number;
  /** Modelled duration of the connect stage (ms). */
  readonly connectMs: number;
  /** Bytes host → device on the wire. */
  readonly bytesOut: number;
  /** Bytes device → host on the wire. */
  readonly bytesIn: number;
  /** Commands that waited for an answer (ESP: loader commands; DAP: CMSIS-DAP packets). */
  readonly roundTrips: number;
  /** Erase units erased by the device (4 KiB sectors / nRF pages). */
  readonly erased: number;
  /** KiB programmed by the device. */
  readonly programmedKiB: number;
  /** True when the device flash holds the new image afterwards (absent: not a flash). */
  readonly ok?: boolean;
  /** The plan's estimate of the whole run, printed before writing (ours only). */
  readonly estimateMs?: number;
}

/** The parts of a lower bound (ms). */
export interface LowerBound {
  /** Device hashing of every block the image touches, once. */
  readonly hashMs: number;
  /** Only the changed data, at link speed (compressed where the link compresses). */
  readonly transferMs: number;
  /** Erase and program of the changed blocks only. */
  readonly flashMs: number;
  /** Connect (the fastest connect stage seen in the scenario). */
  readonly connectMs: number;
  /**
   * ESP only: the loader choice. The ROM loader erases a region before it answers BEGIN and
   * programs each block before it acks it, with a 128-byte UART FIFO behind it, so through it
   * nothing overlaps; the flasher stub overlaps its own work (hashing, then erase and program)
   * with the line, but must first be uploaded.
   */
  readonly esp?: { readonly stubUploadMs: number };
}

/**
 * Total of a lower bound. nRF: transfer and erase/program overlap (double-buffered pages), so
 * the bound takes the larger of the two rather than their sum, which a pipelined run could
 * beat. ESP: the lesser of the ROM loader (everything in turn) and the stub (its upload, then
 * the device's hashing, erasing and programming in turn while the line carries the data).
 */
export function boundMs(b: LowerBound): number {
  if (b.esp) {
    const rom = b.hashMs + b.transferMs + b.flashMs;
    const stub = b.esp.stubUploadMs + Math.max(b.hashMs + b.flashMs, b.transferMs);
    return b.connectMs + Math.min(rom, stub);
  }
  return b.connectMs + b.hashMs + Math.max(b.transferMs, b.flashMs);
}

/** One strategy's result for a scenario. */
export interface StrategyResult {
  /** Display name. */
  readonly strategy: string;
  /** Peer strategies get a ratio column; `ours` rows are what the peers are compared with. */
  readonly role: "ours" | "peer";
  /** Short column label when a peer (e.g. `esptool`). */
  readonly label?: string;
  /** Metrics, or a reason it could not run. */
  readonly metrics: RunMetrics | { readonly skipped: string };
}

/** Rows for one scenario: every strategy, with ratios to the bound and to each peer. */
export function scenarioRows(
  suite: string,
  scenario: string,
  results: readonly StrategyResult[],
  bound: LowerBound,
): BenchRow[] {
  const lb = boundMs(bound);
  const peers = results.filter((r) => r.role === "peer" && "ms" in r.metrics);
  const rows: BenchRow[] = results.map((r) => {
    if (!("ms" in r.metrics)) {
      return {
        suite,
        scenario,
        strategy: r.strategy,
        kind: "modelled",
        ms: NaN,
        extra: { note: r.metrics.skipped },
      };
    }
    const m = r.metrics;
    const extra: Record<string, number | string> = {
      connect: round(m.connectMs),
      "KiB out": round(m.bytesOut / 1024),
      "KiB in": round(m.bytesIn / 1024),
      "round trips": m.roundTrips,
      erased: m.erased,
      "KiB prog": round(m.programmedKiB),
      // Sustained write throughput: programmed bytes over the time after connecting.
      "prog KiB/s": m.programmedKiB > 0 && m.ms > m.connectMs
        ? round(m.programmedKiB / ((m.ms - m.connectMs) / 1000))
        : "-",
      ok: m.ok === undefined ? "-" : m.ok ? "yes" : "NO",
      "÷LB": ratio(m.ms, lb),
    };
    if (r.role === "ours" && m.estimateMs !== undefined) {
      extra["estimate ms"] = round(m.estimateMs);
      // Signed error of the estimate against the run, in percent.
      extra["est err %"] = round((m.estimateMs / m.ms - 1) * 100);
    }
    for (const p of peers) {
      if (p === r || !("ms" in p.metrics)) continue;
      extra[`÷${p.label ?? p.strategy}`] = ratio(m.ms, p.metrics.ms);
    }
    return { suite, scenario, strategy: r.strategy, kind: "modelled", ms: round(m.ms), extra };
  });
  rows.push({
    suite,
    scenario,
    strategy: "lower bound",
    kind: "modelled",
    ms: round(lb),
    extra: {
      connect: round(bound.connectMs),
      hash: round(bound.hashMs),
      xfer: round(bound.transferMs),
      "erase+prog": round(bound.flashMs),
      ...(bound.esp ? { "stub upload": round(bound.esp.stubUploadMs) } : {}),
    },
  });
  return rows;
}

/** Rounds to 0.01 so modelled rows compare exactly across runs and print stably. */
export function round(x: number): number {
  return Math.round(x * 100) / 100;
}

function ratio(a: number, b: number): number {
  return b > 0 ? round(a / b) : NaN;
}
