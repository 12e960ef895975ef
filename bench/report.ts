/**
 * Benchmark rows, the aligned table, the JSON file and the SVG chart.
 *
 * @module
 */

/** One measured or modelled result. */
export interface BenchRow {
  /** Group, e.g. `host-cpu` or `esp32 sha2017`. */
  readonly suite: string;
  /** Scenario, e.g. `01→02` or `identical reflash`. */
  readonly scenario: string;
  /** Strategy or peer, e.g. `deltaflash` or `esptool full`. */
  readonly strategy: string;
  /** `modelled` (virtual clock on simulated link and device) or `measured` (wall time). */
  readonly kind: "modelled" | "measured";
  /** Main number in ms. */
  readonly ms: number;
  /** Further columns (bytes over the link, round trips, blocks, throughput, ratios…). */
  readonly extra: Readonly<Record<string, number | string>>;
}

function fmt(v: number | string): string {
  if (typeof v === "string") return v;
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toFixed(3);
}

/** Aligned text table of the rows, with every extra column that appears. */
export function table(rows: readonly BenchRow[]): string {
  const extras = [...new Set(rows.flatMap((r) => Object.keys(r.extra)))];
  const head = ["suite", "scenario", "strategy", "kind", "ms", ...extras];
  const body = rows.map((r) => [
    r.suite,
    r.scenario,
    r.strategy,
    r.kind,
    fmt(r.ms),
    ...extras.map((k) => r.extra[k] === undefined ? "" : fmt(r.extra[k])),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => i >= 4 ? c.padStart(widths[i]) : c.padEnd(widths[i])).join("  ").trimEnd();
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

/** A horizontal bar chart (one bar per row, grouped by suite/scenario) as SVG text. */
export function svgChart(rows: readonly BenchRow[], title: string): string {
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const bar = 14, gap = 4, left = 330, width = 420;
  const max = Math.max(1, ...rows.map((r) => r.ms));
  let y = 40;
  const parts: string[] = [];
  let group = "";
  for (const r of rows) {
    const g = `${r.suite} · ${r.scenario}`;
    if (g !== group) {
      group = g;
      y += 8;
      parts.push(`<text x="8" y="${y + 10}" font-weight="bold">${esc(g)}</text>`);
      y += bar + gap;
    }
    const w = Math.max(1, (r.ms / max) * width);
    parts.push(
      `<text x="24" y="${y + 11}">${esc(r.strategy)} (${r.kind})</text>`,
      `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${bar}" fill="${
        r.strategy.startsWith("deltaflash") ? "#2a9d8f" : "#8d99ae"
      }"/>`,
      `<text x="${left + w + 4}" y="${y + 11}">${esc(fmt(r.ms))} ms</text>`,
    );
    y += bar + gap;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 120}" height="${
    y + 10
  }" ` +
    `font-family="sans-serif" font-size="11">\n<text x="8" y="20" font-size="14">${
      esc(title)
    }</text>\n` +
    parts.join("\n") + "\n</svg>\n";
}
