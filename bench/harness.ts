/**
 * Shared run plumbing: a fresh registry per run, loading a scenario's images through the
 * target's own loadImage stage, timing the connect stage, and checking the final flash.
 *
 * @module
 */
import {
  composeStages,
  createContext,
  type FlashImage,
  type FlashLayout,
  type ImageInput,
  type Plugin,
  regionAt,
  Registry,
  type RunContext,
  touchedBlocks,
  VirtualClock,
} from "../kernel/mod.ts";
import { formats } from "../plugins/formats/mod.ts";
import { hashes } from "../plugins/hash/mod.ts";

/** A registry with hashes, formats and the given plugins. */
export async function registryWith(...plugins: Plugin[]): Promise<Registry> {
  const registry = new Registry();
  for (const p of [hashes(), formats(), ...plugins]) await registry.use(p);
  return registry;
}

/** Loads inputs the way a flash run of `target` would (Universal Hex sections, ELF…). */
export async function loadFor(
  registry: Registry,
  target: string,
  inputs: readonly ImageInput[],
): Promise<FlashImage> {
  const t = registry.target(target);
  return await composeStages(registry, t).loadImage(createContext(), {
    inputs,
    target: t,
    formatOptions: t.formatOptions ?? {},
  });
}

/** A virtual-clock context that records when the connect stage started and ended. */
export function timedContext(): { ctx: RunContext; clock: VirtualClock; connectMs: () => number } {
  const clock = new VirtualClock();
  let start = 0, end = 0;
  const ctx = createContext({
    clock,
    onEvent(e) {
      if (e.type === "stage" && e.stage === "connect") {
        if (e.state === "start") start = e.at;
        else end = e.at;
      }
    },
  });
  return { ctx, clock, connectMs: () => end - start };
}

/**
 * Touched blocks whose final contents differ from `flash` before the run. `keep`: bytes the
 * image leaves out stay as they are; `fill`: they become erased.
 */
export function changedBlocks(
  image: FlashImage,
  layout: FlashLayout,
  read: (address: number, length: number) => Uint8Array,
  policy: "keep" | "fill",
): { address: number; size: number; data: Uint8Array }[] {
  const out: { address: number; size: number; data: Uint8Array }[] = [];
  for (const b of touchedBlocks(image, layout)) {
    const before = read(b.address, b.size);
    const erased = regionAt(layout, b.address)?.erasedValue ?? 0xff;
    const after = policy === "keep"
      ? image.read(b.address, b.size, before)
      : image.read(b.address, b.size, erased);
    if (!before.every((x, i) => x === after[i])) {
      out.push({ address: b.address, size: b.size, data: after });
    }
  }
  return out;
}

/** True when every image byte is in flash. */
export function holds(
  image: FlashImage,
  read: (address: number, length: number) => Uint8Array,
): boolean {
  return image.segments.every((s) => {
    const here = read(s.address, s.data.length);
    return here.every((b, i) => b === s.data[i]);
  });
}

/** Runs `f`; a failure becomes a skipped row with its message instead of ending the bench. */
export async function harnessAttempt<T>(f: () => Promise<T>): Promise<T | { skipped: string }> {
  try {
    return await f();
  } catch (e) {
    return { skipped: `failed: ${e instanceof Error ? e.message : String(e)}`.slice(0, 120) };
  }
}
