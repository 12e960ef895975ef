/**
 * The lifecycle hook contract: loadImage → queryHashes → plan → write → verify.
 * Each stage is an async function; targets, plugins and config replace or wrap any of them
 * with a {@link StageWrapper} `(next) => stage`.
 *
 * @module
 */
import type { RunContext } from "./context.ts";
import type { HashAlgorithm } from "./hash.ts";
import type { FlashImage, PartialBlockPolicy } from "./image.ts";
import type {
  CostModel,
  FlashDevice,
  FlashLayout,
  HashedRange,
  ProgramOptions,
  WriteRun,
} from "./device.ts";

/** One image input: a file, its optional address (raw binaries) and format. */
export interface ImageInput {
  /** File path (or a display name when `bytes` is given). */
  readonly file: string;
  /** Load address, required for raw binaries. */
  readonly address?: number;
  /** Format name; detected from contents and extension when absent. */
  readonly format?: string;
  /** Contents, when already in memory. */
  readonly bytes?: Uint8Array;
}

/** Arguments of the loadImage stage. */
export interface LoadImageArgs {
  /** The inputs to combine. */
  readonly inputs: readonly ImageInput[];
  /** The target the image is for, when known. */
  readonly target?: { readonly name: string; readonly family: string };
  /** Format options (e.g. `{ boardIds: [0x9903] }`), target's merged with the caller's. */
  readonly formatOptions: Readonly<Record<string, unknown>>;
  /** Accept an image the target's checks would refuse as built for another chip or layout. */
  readonly force?: boolean;
}

/** Comparison of one block: device digest vs the digest of the bytes that will be in flash. */
export interface BlockComparison {
  /** Block address. */
  readonly address: number;
  /** Block size. */
  readonly size: number;
  /** Bytes of the block the image covers. */
  readonly covered: number;
  /** True when the device already holds the final bytes. */
  readonly same: boolean;
  /**
   * True when the device was not asked about this block (`same` is then false): it is written
   * on the assumption that it differs, which is not known.
   */
  readonly assumed?: boolean;
  /**
   * True when `same` rests on the flash record of an earlier run, not on a device hash: the
   * block is skipped, and verify confirms it.
   */
  readonly unconfirmed?: boolean;
  /** Final block contents when they had to be composed from device bytes (partial blocks). */
  readonly content?: Uint8Array;
}

/** Result of the queryHashes stage. */
export interface HashReport {
  /** Algorithm used. */
  readonly algorithm: string;
  /** One entry per block the image touches, in address order. */
  readonly blocks: readonly BlockComparison[];
  /** Device hash requests made. */
  readonly requests: number;
}

/** How a run decides what to write. */
export type FlashMode = "diff" | "full";

/** Arguments of the queryHashes stage. */
export interface QueryHashesArgs<D extends FlashDevice = FlashDevice> {
  /** Open device. */
  readonly device: D;
  /** Image to compare. */
  readonly image: FlashImage;
  /** Hash algorithm (the device computes it by name; the host by `digest`). */
  readonly algorithm: HashAlgorithm;
  /** Policy for bytes of a block the image does not cover. */
  readonly partialBlocks: PartialBlockPolicy;
  /**
   * `diff`, or `full`: every touched block is written, so the stage need not ask the device
   * for hashes (the default stage does not) but still runs, for wrappers that check the image.
   */
  readonly mode: FlashMode;
  /**
   * What the flash record of an earlier verified run on this device says of each block it
   * knows (by address): true when it held the bytes this image wants. A prediction, not a
   * fact: a stage that trusts it marks those blocks `unconfirmed`. Absent without a record.
   */
  readonly recorded?: ReadonlyMap<number, boolean>;
}

/** One block's decision. */
export interface PlannedBlock {
  /** Block address. */
  readonly address: number;
  /** Block size. */
  readonly size: number;
  /** Write it or leave it. */
  readonly action: "skip" | "write";
  /** Why. */
  /**
   * Why: `changed` (the device holds other bytes), `assumed` (not asked: written as if
   * changed), `full` (full mode), `rounded` (holds the right bytes, rewritten so that a larger
   * erase unit is erased at once), `same` (skipped).
   */
  readonly reason: "same" | "changed" | "assumed" | "full" | "rounded";
}

/**
 * Estimated duration of the whole run, made before writing starts: the time already spent
 * connecting and hashing (as the run's clock measured it) plus the target's cost model of
 * writing and verifying the plan.
 */
export interface PlanEstimate {
  /** Milliseconds. */
  readonly ms: number;
  /** Parts of the estimate. */
  readonly breakdown: Readonly<Record<string, number>>;
}

/** The plan: which blocks to erase and write, as contiguous runs. */
export interface Plan {
  /** Mode used. */
  readonly mode: FlashMode;
  /** Per-block decisions in address order. */
  readonly blocks: readonly PlannedBlock[];
  /** Contiguous runs of blocks to erase and program, with their final contents. */
  readonly runs: readonly WriteRun[];
  /** Counts. */
  readonly totals: {
    readonly blocks: number;
    readonly write: number;
    readonly skip: number;
    readonly bytes: number;
    /** Blocks written without asking the device (reason `assumed`). */
    readonly assumed: number;
  };
  /**
   * Skipped blocks known only from the flash record, merged into runs with the bytes they must
   * hold: nothing is written to them, verify hashes them.
   */
  readonly unconfirmed: readonly WriteRun[];
  /** Cost-model estimate when the target has one. */
  readonly estimate?: PlanEstimate;
}

/** Arguments of the plan stage. */
export interface PlanArgs<D extends FlashDevice = FlashDevice> {
  /**
   * Open device (planning must not talk to it; it may read its link figures). Absent when the
   * plan is made on the host (`plan --against OLD`): the stage then plans with the target's
   * static figures, and must decide what a device would (e.g. erase-block rounding) the same way.
   */
  readonly device?: D;
  /** Image to flash. */
  readonly image: FlashImage;
  /** Block comparisons from queryHashes. */
  readonly report: HashReport;
  /** Device memory map. */
  readonly layout: FlashLayout;
  /** Diff or full. */
  readonly mode: FlashMode;
  /** Cost model for the estimate. */
  readonly cost?: CostModel;
  /** Run time so far (connect and hashing, on the run's clock), the estimate's first part. */
  readonly elapsedMs?: number;
  /** Whether verify will run after writing (default true), for the estimate. */
  readonly verify?: boolean;
}

/** Arguments of the write stage. */
export interface WriteArgs<D extends FlashDevice = FlashDevice> {
  /** Open device. */
  readonly device: D;
  /** What to write. */
  readonly plan: Plan;
  /** Ranges to hash along the way, for verify (see {@link FlashDevice.program}). */
  readonly checks?: ProgramOptions;
}

/** Result of the write stage. */
export interface WriteReport {
  /** Blocks erased and programmed. */
  readonly blocks: number;
  /** Bytes programmed. */
  readonly bytes: number;
  /** Ranges the device hashed while writing (written runs, unconfirmed blocks). */
  readonly hashed?: readonly HashedRange[];
}

/** Arguments of the verify stage. */
export interface VerifyArgs<D extends FlashDevice = FlashDevice> {
  /** Open device. */
  readonly device: D;
  /** What was written. */
  readonly plan: Plan;
  /** Hash algorithm. */
  readonly algorithm: HashAlgorithm;
  /** What the write stage reported, with digests it took along the way. */
  readonly written?: WriteReport;
}

/**
 * Result of the verify stage. A written block that does not verify throws VerifyError; an
 * unconfirmed block that does not hold the image's bytes is listed in `stale` (nothing was
 * written to it: the flash record was wrong, and the run goes on to compare and write it).
 */
export interface VerifyReport {
  /** Blocks checked. */
  readonly blocks: number;
  /** Hash requests made. */
  readonly requests: number;
  /** Addresses of unconfirmed blocks that do not hold the image's bytes. */
  readonly stale?: readonly number[];
}

/** The five lifecycle hooks; `D` is the device the target opens. */
export interface Stages<D extends FlashDevice = FlashDevice> {
  /** Files → one image. */
  loadImage(ctx: RunContext, args: LoadImageArgs): Promise<FlashImage>;
  /** Device digests → per-block comparison. */
  queryHashes(ctx: RunContext, args: QueryHashesArgs<D>): Promise<HashReport>;
  /** Comparison → plan. */
  plan(ctx: RunContext, args: PlanArgs<D>): Promise<Plan>;
  /** Plan → device. */
  write(ctx: RunContext, args: WriteArgs<D>): Promise<WriteReport>;
  /** Device → confirmation. */
  verify(ctx: RunContext, args: VerifyArgs<D>): Promise<VerifyReport>;
}

/** Name of a lifecycle hook. */
export type HookName = keyof Stages;

/** Wraps or replaces one stage: receives the stage below it, returns the new stage. */
export type StageWrapper<K extends HookName, D extends FlashDevice = FlashDevice> = (
  next: Stages<D>[K],
) => Stages<D>[K];

/** Per-stage wrappers a target or plugin supplies. */
export type StageOverrides<D extends FlashDevice = FlashDevice> = {
  readonly [K in HookName]?: StageWrapper<K, D>;
};
