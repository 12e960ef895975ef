/**
 * The nRF verify stage: the program stub hashes every page as it reads back right after
 * writing it, so a written page is verified by comparing that digest with the digest of
 * the data the plan meant to write: the same proof as hashing the page again, without a
 * second pass. Pages the stub did not write (UICR), or another algorithm, go to the
 * kernel's verify.
 *
 * @module
 */
import {
  digestsEqual,
  type Plan,
  type StageWrapper,
  VerifyError,
  type WriteRun,
} from "../../kernel/mod.ts";
import { NrfDevice } from "./device.ts";

/** Wraps verify: pages proven by the program stub's digests, the rest by `next`. */
export const nrfVerify: StageWrapper<"verify"> = (next) => async (ctx, args) => {
  const { device, plan, algorithm } = args;
  if (!(device instanceof NrfDevice) || algorithm.name !== device.hashAlgorithms[0]) {
    return next(ctx, args);
  }
  const failed: number[] = [];
  const rest: WriteRun[] = [];
  let proven = 0;
  for (const run of plan.runs) {
    const blocks = plan.blocks.filter((b) =>
      b.action === "write" && b.address >= run.address &&
      b.address < run.address + run.data.length
    );
    if (!blocks.every((b) => device.programmedDigest(b.address))) {
      rest.push(run);
      continue;
    }
    for (const b of blocks) {
      const data = run.data.subarray(b.address - run.address, b.address - run.address + b.size);
      const ok = digestsEqual(algorithm.digest(data), device.programmedDigest(b.address)!);
      if (!ok) failed.push(b.address);
      ctx.emit({
        type: "block",
        address: b.address,
        size: b.size,
        state: ok ? "verified" : "failed",
      });
      proven++;
    }
  }
  if (failed.length) throw new VerifyError(failed);
  if (!rest.length) return { blocks: proven, requests: 0 };
  const inRest = (address: number) =>
    rest.some((r) => address >= r.address && address < r.address + r.data.length);
  const blocks = plan.blocks.filter((b) => b.action !== "write" || inRest(b.address));
  const sub: Plan = {
    ...plan,
    runs: rest,
    blocks,
    totals: { ...plan.totals, write: blocks.filter((b) => b.action === "write").length },
  };
  const r = await next(ctx, { ...args, plan: sub });
  return { blocks: proven + r.blocks, requests: r.requests };
};
