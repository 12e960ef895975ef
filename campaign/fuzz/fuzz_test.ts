/**
 * The fuzz harness itself: the mutator is deterministic, a parser that throws a plain Error
 * is counted as untyped (with its site), a typed error as typed, and a parser that never
 * returns is caught by the watchdog as a hang without stopping the rest of the run.
 */
import { deepEqual, equal, notDeepEqual, ok } from "node:assert/strict";
import { Rng } from "../rng.ts";
import { buildInput } from "./input.ts";
import { mutate } from "./mutate.ts";
import { classify } from "./outcome.ts";
import { runFuzz } from "./runner.ts";
import { ImageFormatError } from "../../kernel/mod.ts";
import { fixtureTargets, hangs } from "./fixture_targets_test_util.ts";

Deno.test("mutator: same seed, same mutants; another seed, other mutants", () => {
  const seed = new TextEncoder().encode(
    ":10000000000102030405060708090A0B0C0D0E0F78\n:00000001FF\n",
  );
  const run = (s: number) =>
    Array.from({ length: 50 }, (_, i) => mutate(seed, new Rng(s, "t", i), { text: true }));
  deepEqual(run(7), run(7));
  notDeepEqual(run(7), run(8));
  ok(run(7).some((m) => m.length !== seed.length), "some edits change the length");
  ok(run(7).every((m) => m !== seed), "the seed itself is never handed out");
});

Deno.test("inputs are rebuilt from (seed, target, index) alone", () => {
  const [target] = fixtureTargets("");
  const seeds = [new Uint8Array(64).fill(0x41), new Uint8Array(10).fill(7)];
  deepEqual(buildInput(target, seeds, 3, 17), buildInput(target, seeds, 3, 17));
  notDeepEqual(buildInput(target, seeds, 3, 17), buildInput(target, seeds, 3, 18));
});

Deno.test("classify: project errors are typed, anything else untyped with its site", () => {
  deepEqual(classify(new ImageFormatError("x", "bad")), { kind: "typed", code: "E_IMAGE_FORMAT" });
  const u = classify(new TypeError("Cannot read properties of undefined"));
  equal(u.kind, "untyped");
  ok(u.kind === "untyped" && u.signature.startsWith("TypeError at campaign/fuzz/fuzz_test.ts:"));
  equal(classify("a string").kind, "untyped");
});

Deno.test("runner: untyped throws and hangs are counted; the run goes on", async () => {
  const report = await runFuzz({
    seed: 1,
    inputs: { typed: 40, untyped: 40, hang: 8 },
    workers: 2,
    hangMs: 300,
    jobSize: 10,
    targetsModule: new URL("./fixture_targets_test_util.ts", import.meta.url),
  });
  const { typed, untyped, hang } = report.targets;
  equal(typed.inputs, 40);
  equal(typed.untyped, 0);
  equal(typed.typed + typed.ok, 40);
  equal(untyped.inputs, 40);
  equal(untyped.untyped, untyped.inputs - untyped.ok);
  ok(untyped.untyped > 0);
  equal(untyped.untypedSites[0].signature.split(" at ")[0], "TypeError");
  const hangTarget = fixtureTargets("")[2];
  const seeds = await hangTarget.seeds();
  const expected = [...Array(8).keys()].filter((i) => hangs(buildInput(hangTarget, seeds, 1, i)));
  ok(expected.length > 0 && expected.length < 8, `fixture hangs on ${expected}`);
  equal(hang.inputs, 8);
  deepEqual(hang.hangIndices.toSorted((a, b) => a - b), expected);
  equal(hang.hangs, expected.length);
  equal(hang.ok, 8 - expected.length);
  ok(report.peakRssBytes > 0);
});
