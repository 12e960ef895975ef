/**
 * Small text renderers for CLI output.
 *
 * @module
 */
import type { FlashResult, Plan, PlannedBlock } from "../kernel/mod.ts";

/** `16 KiB`, `1.2 MiB`, `512 B`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${+(n / 1024 / 1024).toFixed(2)} MiB`;
}

/** `0x00010000`. */
export function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}

/** `0.93 s` or `412 ms`. */
export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

/** The final one-line summary of a flash or plan. */
export function summaryLine(r: FlashResult, dryRun: boolean, unit = "blocks"): string {
  const t = r.plan.totals;
  // Blocks written without asking the device: not known to have changed.
  const assumed = t.assumed ? ` (${t.assumed} assumed changed, not hashed)` : "";
  const what = `${t.write} of ${t.blocks} ${unit} (${formatBytes(t.bytes)})${assumed}`;
  if (dryRun) {
    // A dry run ends with what flashing would do and how long it would take, not how long
    // planning took.
    const est = r.plan.estimate;
    return `would write ${what}, ${t.skip} unchanged${
      est ? `; flashing would take about ${formatMs(est.ms)} (estimate)` : ""
    }`;
  }
  const time = `${formatMs(r.elapsedMs)}${r.modelled ? " (modelled)" : ""}`;
  const verified = r.verified ? ", verified" : "";
  return `wrote ${what} in ${time}, ${t.skip} unchanged${verified}`;
}

/** Addresses of the blocks a plan writes for one of `reasons`. */
export function writtenFor(plan: Plan, ...reasons: PlannedBlock["reason"][]): number[] {
  return plan.blocks.filter((b) => b.action === "write" && reasons.includes(b.reason))
    .map((b) => b.address);
}

/** JSON-friendly summary of a flash result. */
export function resultJson(r: FlashResult, dryRun: boolean) {
  return {
    target: r.target,
    device: r.device,
    dryRun,
    image: { bytes: r.image.byteCount, ranges: r.image.ranges() },
    hashAlgorithm: r.report.algorithm,
    plan: {
      mode: r.plan.mode,
      totals: r.plan.totals,
      runs: r.plan.runs.map((x) => ({ address: x.address, length: x.data.length })),
      // Written because the device holds other bytes (or full mode); `assumedChanged`: written
      // without asking the device, so whether they differed is not known.
      changed: writtenFor(r.plan, "changed", "full"),
      assumedChanged: writtenFor(r.plan, "assumed"),
      // Known to match, rewritten so a whole erase block (64 KiB on ESP) is erased at once.
      rounded: writtenFor(r.plan, "rounded"),
      estimateMs: r.plan.estimate?.ms,
    },
    written: r.written,
    verified: r.verified,
    elapsedMs: r.elapsedMs,
    modelled: r.modelled,
    link: r.link,
  };
}
