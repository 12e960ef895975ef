import { deepEqual, equal, match, ok } from "node:assert/strict";
import type { FlashEvent } from "../kernel/mod.ts";
import { ProgressView } from "./progress.ts";
import { SectorMap } from "./sector_map.ts";

const block = (
  address: number,
  state: "same" | "changed" | "written" | "verified",
): FlashEvent => ({
  type: "block",
  address,
  size: 4096,
  state,
  at: 0,
});

Deno.test("sector map: one cell per block, rows break at gaps and width", () => {
  const m = new SectorMap();
  for (let i = 0; i < 10; i++) m.apply(block(0x10000 + i * 4096, i === 3 ? "changed" : "same"));
  m.apply(block(0x100000, "verified"));
  deepEqual(m.render(20, false), [
    "00010000  ===▫====",
    "00018000  ==",
    "00100000  █",
  ]);
  deepEqual(m.counts(), { same: 9, changed: 1, verified: 1 });
  equal(m.render(0, false).length, 2); // zero-width terminal: default width, no crash
  match(m.legend(false), /= unchanged/);
});

Deno.test("progress: plain lines without a terminal, live frames with one", () => {
  const out: string[] = [];
  const plain = new ProgressView({
    live: false,
    color: false,
    columns: () => 0,
    write: (t) => out.push(t),
  });
  plain.onEvent({ type: "stage", stage: "queryHashes", state: "start", at: 0 });
  plain.onEvent(block(0, "same"));
  plain.onEvent(block(4096, "changed"));
  plain.onEvent({ type: "stage", stage: "queryHashes", state: "end", at: 5 });
  deepEqual(out, ["hashing device blocks…\n", "  2 blocks: 1 changed, 1 unchanged\n"]);

  const frames: string[] = [];
  const live = new ProgressView({
    live: true,
    color: false,
    columns: () => 0,
    write: (t) => frames.push(t),
  });
  live.onEvent({ type: "stage", stage: "write", state: "start", at: 0 });
  live.onEvent({
    type: "progress",
    stage: "write",
    done: 2048,
    total: 8192,
    unit: "bytes",
    at: 1000,
  });
  live.finish();
  const last = frames[frames.length - 1];
  match(last, /erasing and writing \[#+-+\] 25% 2 KiB\/8 KiB 2 KiB\/s ETA 3\.00 s/);
  ok(last.startsWith("\x1b[") && /^.\[\d+F/.test(last)); // redraw: cursor up over the last frame
});
