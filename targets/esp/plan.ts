/**
 * Erase-aware planning for ESP flash. Loaders erase a 64 KiB block with one command (~150 ms)
 * when a write covers it, but sector by sector (~45 ms each) otherwise. When most sectors of a
 * block changed, rewriting its few unchanged sectors too (their bytes are known: they are the
 * image's) can be cheaper than erasing the changed ones singly. Only blocks the image covers
 * completely are considered, so no byte outside the image is ever written.
 *
 * @module
 */
import { deflateSync } from "node:zlib";
import type { BlockComparison, Plan, RunContext, StageWrapper } from "../../kernel/mod.ts";
import { ERASE_BLOCK, SECTOR } from "./chips.ts";
import { FLASH_TIMING, lineMs, programMs, ROM_BAUD } from "./cost.ts";
import type { EspDevice } from "./device.ts";

/**
 * Sectors to rewrite although unchanged: in each fully covered 64 KiB block, the unchanged
 * sectors when one block erase plus sending and programming them costs less than erasing
 * the changed sectors one by one. `content(address)` gives a sector's final bytes.
 */
export function promotions(
  blocks: readonly BlockComparison[],
  content: (address: number) => Uint8Array,
  lineMs: (bytes: number) => number,
): Set<number> {
  const groups = new Map<number, BlockComparison[]>();
  for (const b of blocks) {
    if (b.size !== SECTOR) continue;
    const g = Math.floor(b.address / ERASE_BLOCK) * ERASE_BLOCK;
    groups.set(g, [...groups.get(g) ?? [], b]);
  }
  const out = new Set<number>();
  const t = FLASH_TIMING;
  for (const members of groups.values()) {
    if (members.length !== ERASE_BLOCK / SECTOR) continue;
    const same = members.filter((b) => b.same);
    const changed = members.length - same.length;
    if (!same.length || !changed) continue;
    const singly = changed * t.sectorEraseMs;
    let whole = t.blockEraseMs;
    for (const b of same) {
      const data = content(b.address);
      whole += lineMs(deflateSync(data, { level: 6 }).length) + programMs(SECTOR);
      if (whole >= singly) break;
    }
    if (whole < singly) { for (const b of same) out.add(b.address); }
  }
  return out;
}

/**
 * The plan wrapper: re-plans with promoted sectors marked for writing. Without a device (a
 * host-side plan) it rounds the same way, with the ROM's line rate for the sectors' transfer.
 */
export function espPlanStage(): StageWrapper<"plan", EspDevice> {
  return (next) => async (ctx, args) => {
    const device = args.device;
    // The target's static model assumes 115200 baud; the session knows its real rate.
    if (device) args = { ...args, cost: device.costModel() };
    const line = device ? (n: number) => device.lineMs(n) : (n: number) => lineMs(n, ROM_BAUD);
    // The estimate's write and verify from the runs as the device will send them.
    const withWriteModel = async (p: Plan, a: typeof args) =>
      p.runs.length && device
        ? suggestBaud(
          ctx,
          device,
          await next(ctx, { ...a, cost: await device.planCostModel(p.runs, p.unconfirmed) }),
        )
        : p;
    const plan = await next(ctx, args);
    if (!plan.runs.length) return plan;
    if (args.mode === "full") return withWriteModel(plan, args);
    const erased = args.layout.regions[0]?.erasedValue ?? 0xff;
    const content = (a: number) =>
      args.report.blocks.find((b) => b.address === a)?.content ??
        args.image.read(a, SECTOR, erased);
    const extra = promotions(args.report.blocks, content, line);
    if (!extra.size) return withWriteModel(plan, args);
    ctx.log.debug(`rewriting ${extra.size} unchanged sector(s) to erase whole 64 KiB blocks`);
    const blocks = args.report.blocks.map((b) => extra.has(b.address) ? { ...b, same: false } : b);
    const promoted = { ...args, report: { ...args.report, blocks } };
    const out = await withWriteModel(await next(ctx, promoted), promoted);
    // Known to match: written only so the whole 64 KiB block is erased at once.
    return {
      ...out,
      blocks: out.blocks.map((b) => extra.has(b.address) ? { ...b, reason: "rounded" } : b),
    };
  };
}

/** Writes at least this large at 115200 baud get a hint to pass --baud. */
export const SLOW_WRITE_BYTES = 256 * 1024;

/** Says so when a large write is about to go out at 115200 baud; returns the plan. */
function suggestBaud(ctx: RunContext, device: EspDevice, plan: Plan): Plan {
  const baud = device.slowLineBaud;
  if (baud === undefined || plan.totals.bytes < SLOW_WRITE_BYTES) return plan;
  const seconds = Math.round((plan.estimate?.ms ?? device.lineMs(plan.totals.bytes)) / 1000);
  ctx.log.warn(
    `writing ${Math.round(plan.totals.bytes / 1024)} KiB at ${baud} baud takes about ` +
      `${seconds} s; --baud 460800 (or 921600) is several times faster where the bridge allows`,
  );
  return plan;
}
