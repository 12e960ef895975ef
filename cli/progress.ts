/**
 * Live progress for a flash run: on a terminal, a redrawn frame with the stage, a progress
 * bar (bytes, rate, ETA) and the sector map; otherwise one plain line per step.
 * Drawn by hand rather than with cli-progress, because the bar and the map share one frame
 * and a bar library would fight the map for the cursor.
 *
 * @module
 */
import type { FlashEvent, StageName } from "../kernel/mod.ts";
import { formatBytes, formatMs } from "./render.ts";
import { SectorMap } from "./sector_map.ts";

/** Where the renderer writes. */
export interface ProgressSink {
  /** Writes raw text (no newline added). */
  write(text: string): void;
  /** Terminal width, 0 or undefined when unknown. */
  columns(): number | undefined;
  /** True for a terminal (live redraw). */
  readonly live: boolean;
  /** Colours on. */
  readonly color: boolean;
}

const STAGE_TITLES: Record<StageName, string> = {
  loadImage: "loading image",
  connect: "connecting",
  queryHashes: "hashing device blocks",
  plan: "planning",
  write: "erasing and writing",
  verify: "verifying",
};

/** Consumes run events and draws progress. */
export class ProgressView {
  readonly map = new SectorMap();
  #stage?: StageName;
  #stageStart = 0;
  #done = 0;
  #total = 0;
  #lines = 0;
  #lastDraw = 0;

  constructor(readonly sink: ProgressSink) {}

  /** Handles one event. */
  onEvent = (e: FlashEvent): void => {
    this.map.apply(e);
    if (e.type === "stage" && e.state === "start") {
      this.#stage = e.stage;
      this.#stageStart = e.at;
      this.#done = this.#total = 0;
      if (!this.sink.live) this.sink.write(`${STAGE_TITLES[e.stage]}…\n`);
    } else if (e.type === "stage" && e.state === "end" && !this.sink.live) {
      if (e.stage === "queryHashes") {
        const c = this.map.counts();
        this.sink.write(
          `  ${this.map.size} blocks: ${c.changed ?? 0} changed, ${c.same ?? 0} unchanged\n`,
        );
      }
    } else if (e.type === "progress") {
      this.#done = e.done;
      this.#total = e.total;
      this.#elapsed = e.at - this.#stageStart;
    } else if (e.type === "info") {
      this.log(`  ${e.message}`);
    } else if (e.type === "plan" && e.estimateMs !== undefined) {
      // Printed before writing starts, so the user knows how long the run will take.
      this.#estimateMs = e.estimateMs;
      if (!this.sink.live) this.sink.write(`  estimated ${formatMs(e.estimateMs)} in all\n`);
    }
    if (this.sink.live) this.#draw(false);
  };

  #elapsed = 0;
  #estimateMs: number | undefined;

  /** Draws the final frame (call once at the end). */
  finish(): void {
    if (this.sink.live) this.#draw(true);
  }

  /**
   * Prints a line (a target's log line, a warning) without breaking the live frame: the frame
   * is cleared, the line printed where it stood, and the frame drawn again below it.
   */
  log = (line: string): void => {
    if (!this.sink.live) {
      this.sink.write(`${line}\n`);
      return;
    }
    const up = this.#lines ? `\x1b[${this.#lines}F` : "";
    this.#lines = 0;
    this.sink.write(`${up}\x1b[J${line.replaceAll("\n", "\x1b[K\n")}\x1b[K\n`);
    if (this.#stage) this.#draw(true);
  };

  #bar(): string {
    if (!this.#stage) return "";
    const est = this.#estimateMs === undefined ? "" : ` (run est. ${formatMs(this.#estimateMs)})`;
    const title = STAGE_TITLES[this.#stage] + est;
    if (!this.#total) return title;
    const frac = Math.min(1, this.#done / this.#total);
    const width = Math.max(10, Math.min(30, (this.sink.columns() || 80) - 60));
    const fill = Math.round(frac * width);
    const rate = this.#elapsed > 0 ? this.#done / (this.#elapsed / 1000) : 0;
    const eta = rate > 0 ? ((this.#total - this.#done) / rate) * 1000 : 0;
    return `${title} [${"#".repeat(fill)}${"-".repeat(width - fill)}] ${Math.round(frac * 100)}% ` +
      `${formatBytes(this.#done)}/${formatBytes(this.#total)} ${
        formatBytes(Math.round(rate))
      }/s ETA ${formatMs(eta)}`;
  }

  #draw(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.#lastDraw < 80) return;
    this.#lastDraw = now;
    const cols = this.sink.columns() || 80;
    const frame = [
      this.#bar().slice(0, Math.max(1, cols - 1)),
      ...this.map.render(cols, this.sink.color),
    ];
    let out = this.#lines ? `\x1b[${this.#lines}F` : "";
    for (const line of frame) out += `\x1b[2K${line}\n`;
    // Whatever the terminal echoed below the frame (a ^C) goes too.
    out += "\x1b[J";
    this.#lines = frame.length;
    this.sink.write(out);
  }
}
