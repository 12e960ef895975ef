/**
 * The check every Cortex-M connection makes: walk the CoreSight ROM table from the debug
 * port's base address and find the core's System Control Space in it. A link with no ROM
 * table (QEMU's machines model none: the table reads as zeros) is accepted when the SCS
 * identifies itself at its architectural address; no SCS at all is a {@link DeviceError}.
 *
 * @module
 */
import { DeviceError, type RunContext } from "../../kernel/mod.ts";
import {
  type Component,
  componentName,
  CORTEX_M_ROM_TABLE,
  findScs,
  identifyAt,
  RomTableMissing,
  type RomTableWalk,
  SCS_ADDRESS,
  type SpanReader,
  walkRomTable,
} from "./coresight.ts";
import type { CortexMDebug, WordWrite } from "./debug.ts";

/** DEMCR and its TRCENA bit: DWT, ITM and TPIU identify themselves only while it is set. */
const DEMCR = 0xe000edfc;
const TRCENA = 1 << 24;

/** What the check found. */
export interface CoreSightReport extends RomTableWalk {
  /** The core's SCS. */
  readonly scs: Component;
  /** False when the link offers no ROM table and the SCS was found directly. */
  readonly romTable: boolean;
}

/** Options for {@link checkCortexMCore}. */
export interface CoreCheckOptions {
  /**
   * ROM table address from the MEM-AP's BASE register; `null` when BASE says none is
   * present. Default: the Cortex-M PPB ROM table (0xE00FF000), for links without BASE.
   */
  readonly base?: number | null;
  /** Set DEMCR.TRCENA for the walk (restored after), as the trace blocks need. Default true. */
  readonly enableTrace?: boolean;
  /** DEMCR as the caller already read it (saves reading it again). */
  readonly demcr?: number;
}

/** Walks the CoreSight components reachable through `core`; throws when no core is found. */
export async function checkCortexMCore(
  ctx: RunContext,
  core: CortexMDebug,
  options: CoreCheckOptions = {},
): Promise<CoreSightReport> {
  const base = options.base === undefined ? CORTEX_M_ROM_TABLE : options.base;
  const trace = options.enableTrace ?? true;
  const demcr = trace
    ? options.demcr ?? await core.readWord(ctx, DEMCR).catch(() => undefined)
    : undefined;
  const setTrace = demcr !== undefined && !(demcr & TRCENA);
  // TRCENA goes out with the walk's first reads, in the same exchange.
  let writes: WordWrite[] = setTrace ? [{ address: DEMCR, value: (demcr | TRCENA) >>> 0 }] : [];
  const read: SpanReader = (spans) => {
    const w = writes;
    writes = [];
    return core.readSpans(ctx, spans, w);
  };
  try {
    return await findCore(read, base);
  } finally {
    // Restored only once the walk has sent the change (writes is emptied when it does).
    if (setTrace && !writes.length) await core.writeWord(ctx, DEMCR, demcr);
  }
}

/** The walk and the verdict, on any word reader. */
export async function findCore(read: SpanReader, base: number | null): Promise<CoreSightReport> {
  let missing: string;
  if (base === null) missing = "the debug port reports no ROM table";
  else {
    try {
      const walk = await walkRomTable(read, base);
      const scs = findScs(walk.components);
      if (scs) return { ...walk, scs, romTable: true };
      const found = [...walk.tables, ...walk.components].map(componentName).join(", ");
      throw new DeviceError(
        `no Cortex-M core in the ROM table at 0x${base.toString(16)}: no System Control ` +
          `Space at 0x${SCS_ADDRESS.toString(16)} (found ${found || "nothing"})`,
        {
          code: "E_NO_CORE",
          hint: "the debug port leads to a different kind of core, or the part is held in a " +
            "state that hides it; check --target and power, then reset the board",
        },
      );
    } catch (e) {
      if (!(e instanceof RomTableMissing)) throw e;
      missing = e.reason;
    }
  }
  // Without a ROM table, the SCS at its architectural address still says a core is there.
  const direct = await identifyAt(read, SCS_ADDRESS);
  if (typeof direct !== "string" && findScs([direct])) {
    return {
      base: base ?? SCS_ADDRESS,
      tables: [],
      components: [direct],
      problems: [`no ROM table (${missing}); the SCS identifies itself`],
      scs: direct,
      romTable: false,
    };
  }
  throw new DeviceError(`no Cortex-M core found: ${missing}, and no System Control Space`, {
    code: "E_NO_CORE",
    hint: "check the wiring, the target's power and --target; a chip in a protected or " +
      "powered-down state can hide its debug components",
  });
}
