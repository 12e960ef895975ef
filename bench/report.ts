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

/**
 * A horizontal bar chart (one bar per row, grouped by suite/scenario) as SVG text. The axis is
 * logarithmic so a 0.3 s partial flash and a 25 s full flash both read; ours is teal, the
 * lower bound dark, peers grey.
 */
export function svgChart(rows: readonly BenchRow[], title: string): string {
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const bar = 12, gap = 3, left = 300, width = 460;
  const shown = rows.filter((r) => Number.isFinite(r.ms) && r.ms > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...shown.map((r) => r.ms), 100)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...shown.map((r) => r.ms), 1000)));
  const x = (ms: number) => left + (Math.log10(ms / lo) / Math.log10(hi / lo)) * width;
  const color = (r: BenchRow) =>
    r.strategy === "lower bound"
      ? "#264653"
      : r.strategy.startsWith("deltaflash")
      ? "#2a9d8f"
      : "#a8b0bd";
  let y = 44;
  const parts: string[] = [];
  for (let t = lo; t <= hi; t *= 10) {
    const label = t >= 1000 ? `${t / 1000} s` : `${t} ms`;
    parts.push(
      `<line x1="${x(t)}" y1="34" x2="${x(t)}" y2="@H" stroke="#ddd"/>`,
      `<text x="${x(t) - 10}" y="30" fill="#666">${label}</text>`,
    );
  }
  let group = "";
  for (const r of shown) {
    const g = `${r.suite} · ${r.scenario}`;
    if (g !== group) {
      group = g;
      y += 6;
      parts.push(`<text x="8" y="${y + 10}" font-weight="bold">${esc(g)}</text>`);
      y += bar + gap;
    }
    const w = Math.max(1, x(r.ms) - left);
    parts.push(
      `<text x="20" y="${y + 10}">${esc(r.strategy)}</text>`,
      `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${bar}" fill="${color(r)}"/>`,
      `<text x="${(left + w + 4).toFixed(1)}" y="${y + 10}">${esc(fmt(r.ms))} ms</text>`,
    );
    y += bar + gap;
  }
  const h = y + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 110}" height="${h}" ` +
    `font-family="sans-serif" font-size="10">\n<text x="8" y="16" font-size="14">${
      esc(title)
    }</text>\n` +
    parts.join("\n").replaceAll("@H", String(h)) + "\n</svg>\n";
}
