/**
 * A fuzz worker: rebuilds each input of a job from its numbers, feeds it to the parser and
 * reports every outcome at once, so the runner's watchdog knows which input is running.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { buildInput } from "./input.ts";
import { classify, type FromWorker, type Outcome, type ToWorker } from "./outcome.ts";
import type { FuzzTarget } from "./target.ts";

let targets: Map<string, FuzzTarget> | undefined;
const seeds = new Map<string, Uint8Array[]>();
const post = (m: FromWorker) => self.postMessage(m);
// A rejection nobody awaited (a leaked promise in a client) is a bug of the input that ran.
let stray: Outcome | undefined;
self.addEventListener("unhandledrejection", (e) => {
  e.preventDefault();
  stray ??= classify(e.reason);
});

self.onmessage = async (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  if (msg.type === "init") {
    const mod: { fuzzTargets(tmpDir: string): FuzzTarget[] } = await import(msg.targetsModule);
    targets = new Map(mod.fuzzTargets(msg.tmpDir).map((t) => [t.name, t]));
    post({ type: "ready" });
    return;
  }
  const { job } = msg;
  const target = targets?.get(job.target);
  if (!target) throw new Error(`unknown fuzz target ${job.target}`);
  let list = seeds.get(target.name);
  if (!list) seeds.set(target.name, list = await target.seeds());
  for (let i = job.from; i < job.to; i++) {
    const input = buildInput(target, list, job.seed, i);
    // Loading seeds and building the input are not the parser's time: the watchdog starts here.
    post({ type: "start", index: i });
    const t0 = performance.now();
    let outcome: Outcome;
    try {
      await target.run(input);
      outcome = { kind: "ok" };
    } catch (err) {
      outcome = classify(err);
    }
    // Let leaked promises of this input settle before it is scored.
    await new Promise((r) => setTimeout(r, 0));
    if (stray && outcome.kind !== "untyped") outcome = stray;
    stray = undefined;
    const ms = performance.now() - t0;
    post({
      type: "result",
      target: target.name,
      index: i,
      outcome,
      ms,
      heapBytes: Deno.memoryUsage().heapUsed,
    });
  }
  post({ type: "done" });
};
