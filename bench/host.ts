/**
 * Host CPU benchmarks (real wall time, median of several runs): loading and planning a large
 * image, and hash throughput.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { compareImages, FlashImage, fullReport, planBlocks } from "../kernel/mod.ts";
import { murmur3x2 } from "../plugins/hash/murmur3x2.ts";
import { parseIntelHex } from "../plugins/formats/ihex.ts";
import type { BenchRow } from "./report.ts";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(runs: number, fn: () => void): number {
  fn(); // warm-up
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    xs.push(performance.now() - t);
  }
  return median(xs);
}

function pseudoRandom(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  const v = new DataView(out.buffer);
  let s = seed >>> 0;
  for (let i = 0; i + 4 <= length; i += 4) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    v.setUint32(i, s >>> 0, true);
  }
  return out;
}

/** Builds Intel HEX text for `data` at `base` (for the load benchmark). */
function toHex(data: Uint8Array, base: number): string {
  const lines: string[] = [];
  const rec = (type: number, off: number, bytes: Uint8Array) => {
    let sum = bytes.length + (off >> 8) + (off & 0xff) + type;
    let s = `:${bytes.length.toString(16).padStart(2, "0")}${off.toString(16).padStart(4, "0")}${
      type.toString(16).padStart(2, "0")
    }`;
    for (const b of bytes) {
      sum += b;
      s += b.toString(16).padStart(2, "0");
    }
    lines.push((s + ((0x100 - (sum & 0xff)) & 0xff).toString(16).padStart(2, "0")).toUpperCase());
  };
  for (let off = 0; off < data.length; off += 16) {
    const addr = base + off;
    if ((addr & 0xffff) === 0) rec(4, 0, Uint8Array.of(addr >>> 24, (addr >>> 16) & 0xff));
    rec(0, addr & 0xffff, data.subarray(off, off + 16));
  }
  lines.push(":00000001FF");
  return lines.join("\n");
}

/** Runs the host CPU benchmarks. */
export function hostBenchmarks(quick: boolean): BenchRow[] {
  const runs = quick ? 3 : 7;
  const size = 16 * 1024 * 1024;
  const data = pseudoRandom(size, 1);
  const rows: BenchRow[] = [];
  const hexText = toHex(data, 0);
  const loadMs = time(runs, () => parseIntelHex(hexText, "bench.hex"));
  rows.push({
    suite: "host-cpu",
    scenario: "16 MiB image",
    strategy: "load Intel HEX",
    kind: "measured",
    ms: loadMs,
    extra: { "MB/s": hexText.length / 1e6 / (loadMs / 1000) },
  });
  const image = FlashImage.from([{ address: 0, data, source: "bench" }]);
  const layout = { regions: [{ name: "flash", start: 0, size, blockSize: 4096 }] };
  const changed = data.slice();
  changed[5 * 4096] ^= 1;
  const old = FlashImage.from([{ address: 0, data: changed, source: "old" }]);
  const planMs = time(runs, () => {
    const diff = new Set(compareImages(old, image, 4096).differentBlocks);
    const report = {
      algorithm: "host",
      requests: 0,
      blocks: fullReport(image, layout).map((b) => ({ ...b, same: !diff.has(b.address) })),
    };
    planBlocks({ image, report, layout, mode: "diff" });
  });
  rows.push({
    suite: "host-cpu",
    scenario: "16 MiB image",
    strategy: "diff + plan (4 KiB blocks)",
    kind: "measured",
    ms: planMs,
    extra: { "MB/s": size / 1e6 / (planMs / 1000) },
  });
  for (
    const [name, fn] of [
      ["md5 (node:crypto)", (d: Uint8Array) => createHash("md5").update(d).digest()],
      ["murmur3x2", (d: Uint8Array) => murmur3x2.digest(d)],
    ] as const
  ) {
    const ms = time(runs, () => {
      for (let o = 0; o < size; o += 4096) fn(data.subarray(o, o + 4096));
    });
    rows.push({
      suite: "host-cpu",
      scenario: "16 MiB in 4 KiB blocks",
      strategy: name,
      kind: "measured",
      ms,
      extra: { "MB/s": size / 1e6 / (ms / 1000) },
    });
  }
  return rows;
}
