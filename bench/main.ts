/**
 * `deno task bench [--quick] [--baud N] [--latency MS] [--packet-count N] [--only TEXT]
 * [--no-host] [--save] [--out DIR]`: every scenario and strategy, printed as a table and written
 * to bench/out/ (git ignores it), or with `--save` to the committed bench/results/.
 * Modelled rows come from simulated links and devices in virtual time; measured rows are
 * host wall time.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { hostBenchmarks } from "./host.ts";
import { type BenchRow, svgChart, table } from "./report.ts";
import { modelledSuites } from "./suites.ts";
import { summary } from "./summary.ts";
import { numberArg, parseTaskArgs } from "../tools/task_args.ts";

const USAGE = "deno task bench [--quick] [--baud N] [--latency MS] [--packet-count N] " +
  "[--only TEXT] [--no-host] [--save] [--out DIR]";
const values = parseTaskArgs(Deno.args, {
  quick: { type: "boolean", default: false },
  baud: { type: "string" },
  latency: { type: "string" },
  "packet-count": { type: "string" },
  out: { type: "string" },
  only: { type: "string" },
  "no-host": { type: "boolean", default: false },
  save: { type: "boolean", default: false },
}, USAGE);

const params = {
  quick: values.quick ?? false,
  baud: numberArg("baud", values.baud, USAGE),
  latencyMs: numberArg("latency", values.latency, USAGE),
  packetCount: numberArg("packet-count", values["packet-count"], USAGE),
  only: values.only,
};

const rows: BenchRow[] = [];
for (const suite of modelledSuites()) {
  const t = performance.now();
  rows.push(...await suite.run(params));
  console.error(`${suite.name}: ${((performance.now() - t) / 1000).toFixed(1)} s real`);
}
if (!values["no-host"]) rows.push(...hostBenchmarks(params.quick));

// One table per family, so each shows only its own ratio columns.
const family = (r: BenchRow) =>
  r.kind === "measured" ? "host" : r.suite.startsWith("esp") ? "esp" : "nrf";
for (const f of ["esp", "nrf", "host"]) {
  const part = rows.filter((r) => family(r) === f);
  if (part.length) console.log(table(part) + "\n");
}
// A quick or partial run must never overwrite the committed full-run results by accident.
const dir = values.out ??
  fileURLToPath(new URL(values.save ? "./results" : "./out", import.meta.url));
await Deno.mkdir(dir, { recursive: true });
const rev = await revision();
await Deno.writeTextFile(
  `${dir}/latest.json`,
  JSON.stringify(
    {
      params,
      revision: rev,
      note:
        "kind=modelled: virtual time on simulated link and device; kind=measured: host wall time",
      rows,
    },
    null,
    2,
  ) + "\n",
);
await Deno.writeTextFile(
  `${dir}/chart.svg`,
  svgChart(rows.filter((r) => r.kind === "modelled"), "deltaflash benchmarks (modelled time)"),
);
const link = `baud ${params.baud ?? 460800}, bridge latency ${params.latencyMs ?? 1} ms, ${
  params.packetCount ?? 5
} DAP packets`;
await Deno.writeTextFile(
  `${dir}/summary.md`,
  summary(
    rows,
    `# Benchmark summary (${params.quick ? "quick" : "full"} run, ${link}, ${rev ?? "?"})`,
  ),
);
console.error(`wrote ${dir}/latest.json, chart.svg and summary.md`);

/** The checked-out commit (and whether the tree had changes), so a result names its code. */
async function revision(): Promise<string | undefined> {
  const git = (...args: string[]) =>
    new Deno.Command("git", { args, stdout: "piped", stderr: "null" }).output()
      .then(
        (o) => o.success ? new TextDecoder().decode(o.stdout).trim() : undefined,
        () => undefined,
      );
  const head = await git("rev-parse", "--short", "HEAD");
  const dirty = await git("status", "--porcelain", "--untracked-files=no");
  return head && (dirty ? `${head}+changes` : head);
}
