/**
 * UICR programming. UICR words can only go from 1 to 0 without an erase; when a 0→1 bit is
 * needed the whole UICR is erased with NVMC.ERASEUICR where the chip allows it, otherwise
 * the run stops with an explanation. It is never skipped silently.
 *
 * @module
 */
import { DeviceError, type RunContext, TimeoutError } from "../../kernel/mod.ts";
import type { CortexMDebug } from "../../probes/cortexm/debug.ts";
import { type NrfChip, NVMC } from "./chips.ts";

/** Waits for NVMC.READY. */
export async function nvmcReady(ctx: RunContext, core: CortexMDebug, timeoutMs: number) {
  const deadline = ctx.clock.now() + timeoutMs;
  while ((await core.readWord(ctx, NVMC.READY)) === 0) {
    if (ctx.clock.now() >= deadline) {
      throw new TimeoutError(`NVMC stayed busy for ${timeoutMs} ms`);
    }
    await ctx.clock.sleep(1, ctx.signal);
  }
}

/** Words (index → value) that must change, and whether any needs a 0→1 bit. */
export function uicrChanges(
  current: Uint8Array,
  wanted: Uint8Array,
): { words: Map<number, number>; needsErase: boolean } {
  const cur = new DataView(current.buffer, current.byteOffset, current.byteLength);
  const want = new DataView(wanted.buffer, wanted.byteOffset, wanted.byteLength);
  const words = new Map<number, number>();
  let needsErase = false;
  for (let i = 0; i + 4 <= wanted.length; i += 4) {
    const c = cur.getUint32(i, true), w = want.getUint32(i, true);
    if (c === w) continue;
    words.set(i, w);
    if (((c & w) >>> 0) !== w) needsErase = true;
  }
  return { words, needsErase };
}

/** Brings the UICR at `address` to `data` (a whole-region image). */
export async function programUicr(
  ctx: RunContext,
  core: CortexMDebug,
  chip: NrfChip,
  address: number,
  data: Uint8Array,
): Promise<number> {
  const current = await core.readMemory(ctx, address, data.length);
  let { words, needsErase } = uicrChanges(current, data);
  if (words.size === 0) return 0;
  if (needsErase) {
    if (!chip.eraseUicr) {
      throw new DeviceError(
        `the UICR of this ${chip.name} needs bits set back to 1, which needs an erase this chip cannot do on its own`,
        { hint: "erase the whole chip first, then flash again" },
      );
    }
    ctx.log.info("UICR needs 0→1 bits: erasing UICR");
    await core.writeWord(ctx, NVMC.CONFIG, 2);
    await nvmcReady(ctx, core, 100);
    await core.writeWord(ctx, NVMC.ERASEUICR, 1);
    await nvmcReady(ctx, core, 1000);
    ({ words } = uicrChanges(new Uint8Array(data.length).fill(0xff), data));
  }
  await core.writeWord(ctx, NVMC.CONFIG, 1);
  try {
    for (const [offset, value] of words) {
      await core.writeWord(ctx, address + offset, value);
      await nvmcReady(ctx, core, 100);
    }
  } finally {
    await core.writeWord(ctx, NVMC.CONFIG, 0);
  }
  const after = await core.readMemory(ctx, address, data.length);
  const left = uicrChanges(after, data).words;
  if (left.size) {
    throw new DeviceError(
      `UICR word 0x${(address + [...left.keys()][0]).toString(16)} did not take its value`,
      { hint: "the UICR may be write-protected; erase the chip and try again" },
    );
  }
  return words.size;
}
