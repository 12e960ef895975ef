/**
 * Seed inputs: real build outputs from `../shared/firmware` (beside the repository root;
 * never copied into it), cut into windows when large, plus small generated seeds for the
 * parsers the corpus has no files for (config, protocol streams).
 *
 * @module
 */
import type { Rng } from "../rng.ts";

/** The firmware corpus directory. */
export const FIRMWARE_DIR: URL = new URL("../../../shared/firmware/", import.meta.url);

/** Files under `FIRMWARE_DIR/sub` whose names match `pattern`, read whole (sorted by name). */
export async function firmwareFiles(sub: string, pattern: RegExp): Promise<Uint8Array[]> {
  const dir = new URL(sub.endsWith("/") ? sub : `${sub}/`, FIRMWARE_DIR);
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && pattern.test(e.name)) names.push(e.name);
    }
  } catch {
    return [];
  }
  names.sort();
  return await Promise.all(names.map((n) => Deno.readFile(new URL(n, dir))));
}

/** True when the firmware corpus is present. */
export async function haveFirmware(): Promise<boolean> {
  return await Deno.stat(FIRMWARE_DIR).then(() => true, () => false);
}

/** A run of whole lines of a text seed (up to `maxLines`), with `tail` appended. */
export function lineWindow(
  seed: Uint8Array,
  rng: Rng,
  maxLines: number,
  keepHead = 0,
  tail = "",
): Uint8Array {
  const ends: number[] = [];
  for (let i = 0; i < seed.length; i++) if (seed[i] === 10) ends.push(i + 1);
  if (ends.length <= maxLines + keepHead) return seed;
  const headEnd = keepHead ? ends[keepHead - 1] : 0;
  const first = keepHead + rng.int(ends.length - maxLines - keepHead);
  const from = first === 0 ? 0 : ends[first - 1];
  const to = ends[first + rng.range(1, maxLines) - 1];
  const t = new TextEncoder().encode(tail);
  const out = new Uint8Array(headEnd + (to - from) + t.length);
  out.set(seed.subarray(0, headEnd));
  out.set(seed.subarray(from, to), headEnd);
  out.set(t, headEnd + to - from);
  return out;
}

/** UTF-8 bytes of each string. */
export function textSeeds(...texts: string[]): Uint8Array[] {
  return texts.map((t) => new TextEncoder().encode(t));
}
