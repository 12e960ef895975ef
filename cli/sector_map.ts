/**
 * The sector map: one cell per block, coloured by what happened to it.
 *
 * @module
 */
import pc from "picocolors";
import type { BlockState, FlashEvent } from "../kernel/mod.ts";

/** Cell glyph and colour name per state (`pending` = touched, not yet known). */
const CELLS: Record<BlockState | "pending", { glyph: string; color: keyof typeof COLORS }> = {
  pending: { glyph: "·", color: "gray" },
  same: { glyph: "=", color: "gray" },
  changed: { glyph: "▫", color: "yellow" },
  assumed: { glyph: "?", color: "yellow" },
  erased: { glyph: "▪", color: "yellow" },
  written: { glyph: "▓", color: "cyan" },
  verified: { glyph: "█", color: "green" },
  failed: { glyph: "✗", color: "red" },
};
const COLORS = { gray: 0, yellow: 0, cyan: 0, green: 0, red: 0 };

/** Block states keyed by address, filled from run events. */
export class SectorMap {
  readonly #blocks = new Map<number, { size: number; state: BlockState | "pending" }>();

  /** Whether any block was written unasked (the legend then explains its cell). */
  #assumed = false;

  /** Applies a `block` event (other events are ignored). */
  apply(e: FlashEvent): void {
    if (e.type !== "block") return;
    this.#blocks.set(e.address, { size: e.size, state: e.state });
    if (e.state === "assumed") this.#assumed = true;
  }

  /** Sets a block directly (for plans printed without a run). */
  set(address: number, size: number, state: BlockState | "pending"): void {
    this.#blocks.set(address, { size, state });
    if (state === "assumed") this.#assumed = true;
  }

  /** Number of blocks per state. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const b of this.#blocks.values()) out[b.state] = (out[b.state] ?? 0) + 1;
    return out;
  }

  /** Number of blocks known. */
  get size(): number {
    return this.#blocks.size;
  }

  /**
   * Renders rows of cells no wider than `columns`, each row prefixed with its first address.
   * Gaps between non-adjacent blocks start a new row.
   */
  render(columns: number, color: boolean): string[] {
    const c = pc.createColors(color);
    const entries = [...this.#blocks.entries()].sort((a, b) => a[0] - b[0]);
    const width = Math.max(
      8,
      Math.min(64, (Number.isFinite(columns) && columns > 0 ? columns : 80) - 12),
    );
    const rows: string[] = [];
    let row = "", rowStart = -1, next = -1, n = 0;
    const flush = () => {
      if (n) rows.push(`${rowStart.toString(16).padStart(8, "0")}  ${row}`);
      row = "";
      n = 0;
    };
    for (const [addr, b] of entries) {
      if (n >= width || (next >= 0 && addr !== next)) flush();
      if (n === 0) rowStart = addr;
      const cell = CELLS[b.state];
      row += c[cell.color](cell.glyph);
      n++;
      next = addr + b.size;
    }
    flush();
    return rows;
  }

  /** One-line legend. */
  legend(color: boolean): string {
    const c = pc.createColors(color);
    const label = { same: "unchanged", assumed: "assumed changed (not hashed)" } as const;
    return (["same", "changed", "assumed", "written", "verified", "failed"] as const)
      .filter((x) => x !== "assumed" || this.#assumed)
      .map((s) =>
        `${c[CELLS[s].color](CELLS[s].glyph)} ${s in label ? label[s as keyof typeof label] : s}`
      )
      .join("  ");
  }
}
