/**
 * Pipeline composition and the flash run: kernel defaults ← target stages ← plugin wrappers,
 * then load → connect → queryHashes → plan → write → verify.
 *
 * @module
 */
import { defaultQueryHashes, defaultVerify, touchedBlocks } from "./compare.ts";
import { type FlashRecordStore, predictFromRecord, recordAfter } from "./record.ts";
import type { RunContext, StageName } from "./context.ts";
import { AbortedError, ImageRangeError, VerifyError } from "./errors.ts";
import type { FlashImage, PartialBlockPolicy } from "./image.ts";
import { defaultLoadImage } from "./load.ts";
import { checkPieces, planBlocks } from "./plan.ts";
import type { Registry } from "./registry.ts";
import type {
  FlashMode,
  HashReport,
  HookName,
  ImageInput,
  Plan,
  Stages,
  StageWrapper,
  VerifyReport,
  WriteReport,
} from "./stages.ts";
import {
  type DeviceInfo,
  type FlashDevice,
  type FlashLayout,
  type LinkStats,
  regionAt,
} from "./device.ts";
import type { ConnectRequest, Target } from "./target.ts";

/** The kernel's own stage implementations. */
export function defaultStages(registry: Registry): Stages {
  return {
    loadImage: defaultLoadImage(registry),
    queryHashes: defaultQueryHashes,
    plan: (_ctx, args) => Promise.resolve(planBlocks(args)),
    async write(ctx, { device, plan, checks }) {
      // Blocks are reported written as the device's write progress passes them (runs go out in
      // address order), so a long write shows in the sector map while it happens.
      const blocks = plan.blocks.filter((b) => b.action === "write")
        .sort((a, b) => a.address - b.address);
      let reported = 0;
      const reportUpTo = (n: number) => {
        for (; reported < Math.min(n, blocks.length); reported++) {
          const b = blocks[reported];
          ctx.emit({ type: "block", address: b.address, size: b.size, state: "written" });
        }
      };
      const tracking: RunContext = {
        signal: ctx.signal,
        clock: ctx.clock,
        log: ctx.log,
        emit(e) {
          ctx.emit(e);
          if (e.type === "progress" && e.stage === "write" && e.total > 0) {
            reportUpTo(Math.floor(blocks.length * Math.min(1, e.done / e.total)));
          }
        },
      };
      const result = plan.runs.length
        ? await device.program(tracking, plan.runs, checks)
        : undefined;
      reportUpTo(blocks.length);
      return {
        blocks: plan.totals.write,
        bytes: plan.totals.bytes,
        ...(result?.hashed.length ? { hashed: result.hashed } : {}),
      };
    },
    verify: defaultVerify,
  };
}

/** Composes the stages for a target: defaults, then the target's, then plugin wrappers. */
export function composeStages(registry: Registry, target?: Target): Stages {
  const stages: Stages = defaultStages(registry);
  const apply = <K extends HookName>(stage: K, wrapper: StageWrapper<K>) => {
    (stages as unknown as Record<K, Stages[K]>)[stage] = wrapper(stages[stage]);
  };
  for (const [name, wrapper] of Object.entries(target?.stages ?? {})) {
    if (wrapper) apply(name as HookName, wrapper as StageWrapper<HookName>);
  }
  if (target) {
    for (const w of registry.wrappersFor(target.name)) apply(w.stage, w.wrapper);
  }
  return stages;
}

/** Checks that every byte of the image lies inside a flash region. */
export function checkRange(image: FlashImage, layout: FlashLayout, target: string): void {
  for (const seg of image.segments) {
    let a = seg.address;
    const end = seg.address + seg.data.length;
    while (a < end) {
      const r = layout.regions.find((x) => a >= x.start && a < x.start + x.size);
      if (!r) {
        throw new ImageRangeError(
          `${seg.source} has bytes at 0x${a.toString(16)}, outside ${target}'s flash`,
          {
            hint: `flash regions: ${
              layout.regions.map((x) =>
                `${x.name} 0x${x.start.toString(16)}–0x${(x.start + x.size).toString(16)}`
              ).join(", ")
            }`,
          },
        );
      }
      a = r.start + r.size;
    }
  }
}

/** What to flash and how. */
export interface FlashRequest {
  /** Target name, or a target from the registry. */
  readonly target: string | Target;
  /** Image inputs. */
  readonly inputs: readonly ImageInput[];
  /** How to reach the device (ignored when `device` is given); options are parsed first. */
  readonly connect?: ConnectRequest;
  /** An already-open device; the run leaves it open. */
  readonly device?: FlashDevice;
  /** `diff` (default) or `full`. */
  readonly mode?: FlashMode;
  /** Partial-block policy; the target's default, else `keep`. */
  readonly partialBlocks?: PartialBlockPolicy;
  /** Hash algorithm name; the target's default. */
  readonly hash?: string;
  /** Verify written blocks (default true). */
  readonly verify?: boolean;
  /** Stop after planning (the `plan` command). */
  readonly dryRun?: boolean;
  /** Extra format options. */
  readonly formatOptions?: Readonly<Record<string, unknown>>;
  /** Flash an image the target's load checks would refuse as built for another chip. */
  readonly force?: boolean;
  /**
   * Where flash records are kept: with one, a diff run on a device with an identity predicts
   * what changed from the record of its last verified run, confirms the rest by hashing, and
   * records what it leaves. Not used when verify is off.
   */
  readonly record?: FlashRecordStore;
}

/** Everything a flash run did. */
export interface FlashResult {
  /** Target name. */
  readonly target: string;
  /** Connected device. */
  readonly device: DeviceInfo;
  /** Image loaded. */
  readonly image: FlashImage;
  /** Block comparisons. */
  readonly report: HashReport;
  /** The plan. */
  readonly plan: Plan;
  /** Write result (absent on a dry run). */
  readonly written?: WriteReport;
  /** Verify result (absent on a dry run or with verify off). */
  readonly verified?: VerifyReport;
  /** Duration on the run's clock, in ms (modelled when `modelled`). */
  readonly elapsedMs: number;
  /** True when the clock is virtual. */
  readonly modelled: boolean;
  /** Link counters, when the device keeps them. */
  readonly link?: LinkStats;
}

/**
 * Runs one stage with a context whose progress events carry that stage's name, so a device
 * reporting hashing progress needs not know whether it is comparing or verifying.
 */
async function stage<T>(
  ctx: RunContext,
  name: StageName,
  fn: (ctx: RunContext) => Promise<T>,
): Promise<T> {
  if (ctx.signal.aborted) throw new AbortedError({ cause: ctx.signal.reason });
  ctx.emit({ type: "stage", stage: name, state: "start" });
  const scoped: RunContext = {
    signal: ctx.signal,
    clock: ctx.clock,
    log: ctx.log,
    emit: (e) => ctx.emit(e.type === "progress" ? { ...e, stage: name } : e),
  };
  const out = await fn(scoped);
  ctx.emit({ type: "stage", stage: name, state: "end" });
  return out;
}

/** Runs the flash lifecycle for one device. */
export async function flash(
  registry: Registry,
  ctx: RunContext,
  request: FlashRequest,
): Promise<FlashResult> {
  const target = typeof request.target === "string"
    ? registry.target(request.target)
    : request.target;
  const stages = composeStages(registry, target);
  // Options are checked before anything is read or opened: a typo fails at once.
  if (!request.device) target.parseOptions(request.connect?.options);
  const t0 = ctx.clock.now();
  const formatOptions = { ...target.formatOptions, ...request.formatOptions };
  const image = await stage(
    ctx,
    "loadImage",
    (c) =>
      stages.loadImage(c, { inputs: request.inputs, target, formatOptions, force: request.force }),
  );
  const device = request.device ??
    await stage(ctx, "connect", (c) => target.connect(c, request.connect ?? {}));
  try {
    checkRange(image, device.layout, target.name);
    const algorithm = registry.hash(request.hash ?? target.hash);
    const partialBlocks = request.partialBlocks ?? target.partialBlocks ?? "keep";
    const mode = request.mode ?? "diff";
    const blocksTouched = touchedBlocks(image, device.layout);
    const erasedAt = (a: number) => regionAt(device.layout, a)?.erasedValue ?? 0xff;
    const fill = partialBlocks === "fill";
    // A record is kept only from verified runs, and predicts only for diff runs.
    const identity = request.record && request.verify !== false && !request.dryRun
      ? await device.identify?.(ctx)
      : undefined;
    const before = identity ? await request.record!.load(identity) : undefined;
    let recorded = mode === "diff"
      ? predictFromRecord(before, image, blocksTouched, algorithm, erasedAt, fill)
      : undefined;
    if (recorded?.size) {
      const same = [...recorded.values()].filter(Boolean).length;
      ctx.log.debug(`flash record: ${same} of ${recorded.size} known blocks unchanged`);
    }
    const pass = async (recorded: ReadonlyMap<number, boolean> | undefined) => {
      const report = await stage(
        ctx,
        "queryHashes",
        (c) =>
          stages.queryHashes(c, {
            device,
            image,
            algorithm,
            partialBlocks,
            mode,
            ...(recorded?.size ? { recorded } : {}),
          }),
      );
      const plan = await stage(
        ctx,
        "plan",
        (c) =>
          stages.plan(c, {
            device,
            image,
            report,
            layout: device.layout,
            mode,
            cost: target.cost,
            elapsedMs: ctx.clock.now() - t0,
            verify: request.verify !== false,
          }),
      );
      ctx.emit({
        type: "plan",
        write: plan.totals.write,
        blocks: plan.totals.blocks,
        bytes: plan.totals.bytes,
        estimateMs: plan.estimate?.ms,
      });
      let written: WriteReport | undefined;
      let verified: VerifyReport | undefined;
      if (!request.dryRun) {
        const verify = request.verify !== false;
        const toCheck = verify ? [...checkPieces(plan.runs), ...plan.unconfirmed] : [];
        const checks = toCheck.length
          ? {
            algorithm: algorithm.name,
            checks: toCheck.map((r) => ({ start: r.address, end: r.address + r.data.length }))
              .sort((a, b) => a.start - b.start),
          }
          : undefined;
        written = await stage(ctx, "write", (c) => stages.write(c, { device, plan, checks }));
        if (verify && (plan.runs.length > 0 || plan.unconfirmed.length > 0)) {
          verified = await stage(
            ctx,
            "verify",
            (c) => stages.verify(c, { device, plan, algorithm, written }),
          );
        }
      }
      return { report, plan, written, verified };
    };
    let run = await pass(recorded);
    const stale = run.verified?.stale ?? [];
    if (stale.length) {
      ctx.log.warn(
        `${stale.length} block(s) did not hold what this device's flash record says ` +
          "(flashed by another tool?); comparing and writing them",
      );
      // Everything else is now confirmed: only the stale blocks are asked about again.
      const wrong = new Set(stale);
      const next = new Map<number, boolean>();
      for (const b of blocksTouched) if (!wrong.has(b.address)) next.set(b.address, true);
      recorded = next;
      run = await pass(recorded);
      if (run.verified?.stale?.length) {
        throw new VerifyError([...run.verified.stale]);
      }
    }
    if (identity && (run.verified || !run.plan.runs.length)) {
      const after = recordAfter(before, image, blocksTouched, algorithm, erasedAt, fill);
      await request.record!.save(identity, after).catch((e) =>
        ctx.log.warn(`could not save the flash record: ${e instanceof Error ? e.message : e}`)
      );
    }
    const { report, plan, written, verified } = run;
    return {
      target: target.name,
      device: device.info,
      image,
      report,
      plan,
      written,
      verified,
      elapsedMs: ctx.clock.now() - t0,
      modelled: ctx.clock.virtual,
      link: device.stats?.(),
    };
  } finally {
    if (!request.device) await device.close();
  }
}
