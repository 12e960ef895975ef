/**
 * The conformance kit for target plugins: the shared behaviour every target must show,
 * run against the plugin and a simulated device for it (like Hono's adapter suites).
 *
 * ```ts
 * import { conformanceTests } from "./testing.ts";
 * for (const c of conformanceTests(subject)) Deno.test(`my-board: ${c.name}`, c.fn);
 * ```
 *
 * @module
 */
import {
  AbortedError,
  createContext,
  DeltaflashError,
  flash,
  type FlashEvent,
  type FlashRequest,
  type FlashResult,
  type ImageInput,
  type Registry,
  type RunContext,
  VerifyError,
  VirtualClock,
} from "./kernel/mod.ts";

export type { FlashRequest, Registry } from "./kernel/mod.ts";

/** What the kit needs to exercise one target. */
export interface ConformanceSubject {
  /** Target name. */
  readonly target: string;
  /** A fresh registry with the target and its simulator loaded, and a fresh blank device. */
  setup(): Promise<ConformanceDevice>;
}

/** One fresh simulated device and the registry that reaches it. */
export interface ConformanceDevice {
  /** Registry with the target and the simulator's transport. */
  readonly registry: Registry;
  /** Connect options that reach this device (e.g. `{ port: "sim:esp32c3" }`). */
  readonly connect: FlashRequest["connect"];
  /** Where test images go (block-aligned, inside flash, at least 4 blocks free). */
  readonly base: number;
  /** The target's block size at `base`. */
  readonly blockSize: number;
  /** Ground truth: the simulated flash bytes. */
  flash(address: number, length: number): Uint8Array;
  /** Flips one bit of the simulated flash (to test verify). */
  corrupt(address: number): void;
  /** Fills the simulated flash directly (to test partial-block handling). */
  fill(address: number, bytes: Uint8Array): void;
}

/** One named test of the kit. */
export interface ConformanceTest {
  /** Test name. */
  readonly name: string;
  /** Test body. */
  readonly fn: () => Promise<void>;
}

function fail(message: string): never {
  throw new Error(`conformance: ${message}`);
}

function sameBytes(a: Uint8Array, b: Uint8Array, what: string): void {
  if (a.length !== b.length) fail(`${what}: length ${a.length} ≠ ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) fail(`${what}: first difference at +0x${i.toString(16)}`);
  }
}

function pattern(seed: number, length: number): Uint8Array {
  let s = seed >>> 0;
  return Uint8Array.from({ length }, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24);
}

function ctx(signal?: AbortSignal, onEvent?: (e: FlashEvent) => void): RunContext {
  return createContext({ clock: new VirtualClock(), signal, onEvent });
}

/** The kit's tests for `subject`. */
export function conformanceTests(subject: ConformanceSubject): ConformanceTest[] {
  const run = (
    d: ConformanceDevice,
    bytes: Uint8Array,
    address: number,
    extra: Partial<FlashRequest> = {},
    c: RunContext = ctx(),
  ): Promise<FlashResult> =>
    flash(d.registry, c, {
      target: subject.target,
      connect: d.connect,
      inputs: [{ file: "conformance.bin", format: "bin", address, bytes } as ImageInput],
      ...extra,
    });

  return [
    {
      name: "first flash writes the image; identical reflash writes nothing",
      fn: async () => {
        const d = await subject.setup();
        const img = pattern(1, d.blockSize * 4);
        await run(d, img, d.base);
        sameBytes(d.flash(d.base, img.length), img, "flash after first write");
        const again = await run(d, img, d.base);
        if (again.plan.totals.write !== 0) fail(`reflash wrote ${again.plan.totals.write} blocks`);
      },
    },
    {
      name: "a one-byte change writes exactly one block",
      fn: async () => {
        const d = await subject.setup();
        const img = pattern(2, d.blockSize * 4);
        await run(d, img, d.base);
        img[d.blockSize * 2 + 3] ^= 0x5a;
        const r = await run(d, img, d.base);
        if (r.plan.totals.write !== 1) fail(`one-byte change wrote ${r.plan.totals.write} blocks`);
        sameBytes(d.flash(d.base, img.length), img, "flash after change");
      },
    },
    {
      name: "bytes of a partly covered block are preserved (or the target refuses clearly)",
      fn: async () => {
        const d = await subject.setup();
        const around = pattern(3, d.blockSize);
        d.fill(d.base, around);
        const patch = pattern(4, 16);
        const at = d.base + d.blockSize / 2;
        try {
          // Forced: this tests partial blocks, not a target's rules on where images start.
          await run(d, patch, at, { partialBlocks: "keep", force: true });
        } catch (e) {
          if (e instanceof DeltaflashError && e.code === "E_PARTIAL" && e.hint) {
            sameBytes(d.flash(d.base, d.blockSize), around, "flash after refusal");
            return;
          }
          throw e;
        }
        const want = around.slice();
        want.set(patch, d.blockSize / 2);
        sameBytes(d.flash(d.base, d.blockSize), want, "partly covered block");
      },
    },
    {
      name: "verify catches a corrupted block, and a rerun repairs it",
      fn: async () => {
        const d = await subject.setup();
        const img = pattern(5, d.blockSize * 3);
        d.registry.wrapStage("write", (next) => async (c, args) => {
          const out = await next(c, args);
          d.corrupt(d.base + d.blockSize);
          return out;
        }, { targets: [subject.target] });
        let caught: unknown;
        try {
          await run(d, img, d.base);
        } catch (e) {
          caught = e;
        }
        if (!(caught instanceof VerifyError)) fail(`expected VerifyError, got ${caught}`);
      },
    },
    {
      name: "aborting mid-write leaves a state that a rerun repairs",
      fn: async () => {
        const d = await subject.setup();
        const img = pattern(6, d.blockSize * 4);
        const ac = new AbortController();
        let writing = false;
        const c = ctx(ac.signal, (e) => {
          if (e.type === "stage" && e.stage === "write") writing = e.state === "start";
          if (writing && e.type === "progress" && e.done > 0) ac.abort(new AbortedError());
        });
        let aborted = false;
        try {
          await run(d, img, d.base, {}, c);
        } catch (e) {
          if (!(e instanceof DeltaflashError)) throw e;
          aborted = true;
        }
        if (!aborted) {
          fail("the run finished despite the abort (emit write progress, check ctx.signal)");
        }
        await run(d, img, d.base);
        sameBytes(d.flash(d.base, img.length), img, "flash after rerun");
      },
    },
  ];
}
