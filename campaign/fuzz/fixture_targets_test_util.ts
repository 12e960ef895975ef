/**
 * Deliberately broken parsers for the harness tests: one throws typed errors, one throws a
 * TypeError on odd first bytes, one never returns for some inputs.
 *
 * @module
 */
import { ImageFormatError } from "../../kernel/mod.ts";
import type { FuzzTarget } from "./target.ts";

const seeds = () => Promise.resolve([new Uint8Array(32).fill(0x41)]);

/** The fixture targets. */
export function fixtureTargets(_tmpDir: string): FuzzTarget[] {
  return [
    {
      name: "typed",
      description: "throws ImageFormatError on any change",
      weight: 1,
      origin: "generated",
      seeds,
      run(input) {
        if (input.some((b) => b !== 0x41)) throw new ImageFormatError("fixture", "changed");
      },
    },
    {
      name: "untyped",
      description: "throws TypeError when the first byte is odd",
      weight: 1,
      origin: "generated",
      seeds,
      run(input) {
        if ((input[0] ?? 0) & 1) throw new TypeError("odd first byte");
      },
    },
    {
      name: "hang",
      description: "spins forever on the inputs hangs() picks",
      weight: 1,
      origin: "generated",
      seeds,
      run(input) {
        if (hangs(input)) { for (;;) { /* spin */ } }
      },
    },
  ];
}

/** The inputs the `hang` target never returns for. */
export function hangs(input: Uint8Array): boolean {
  return (input.length + (input[0] ?? 0)) % 4 === 0;
}

/** The worker imports targets by this name. */
export const fuzzTargets = fixtureTargets;
