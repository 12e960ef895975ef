/**
 * Rebuilds the example firmware into a temporary directory and checks it is byte-identical to
 * the committed artifacts. Each program family is skipped, with the reason printed, when its
 * compiler is missing or is not the version the artifacts were built with.
 */
import { deepEqual } from "node:assert/strict";
import { join } from "node:path";
import { APT_PACKAGES, buildAll, DIST_DIR, type Family, TOOLS, toolVersion } from "./build.ts";

const recorded = Deno.readTextFileSync(join(DIST_DIR, "toolchain.txt"));

/** Why a family cannot be checked here, or undefined when it can. */
async function skipReason(family: Family): Promise<string | undefined> {
  for (const tool of TOOLS[family]) {
    if (!(await toolVersion(tool))) {
      return `${tool} is not installed (apt-get install ${APT_PACKAGES[family]})`;
    }
  }
  const gcc = TOOLS[family][0];
  const version = await toolVersion(gcc);
  if (!recorded.includes(`${gcc}: ${version}\n`)) {
    return `${gcc} is "${version}", the artifacts were built with another version (toolchain.txt)`;
  }
  return undefined;
}

const families: Family[] = ["arm", "riscv"];
const reasons = await Promise.all(families.map(skipReason));
const runnable = families.filter((_, i) => !reasons[i]);
families.forEach((f, i) => {
  if (reasons[i]) console.log(`firmware build check for ${f} skipped: ${reasons[i]}`);
});

Deno.test({
  name: `example firmware: rebuild is byte-identical (${runnable.join(", ") || "skipped"})`,
  ignore: runnable.length === 0,
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "firmware-rebuild-" });
    try {
      const names = (await buildAll(out, runnable)).filter((n) => n !== "toolchain.txt");
      for (const name of names) {
        const want = await Deno.readFile(join(DIST_DIR, name));
        const got = await Deno.readFile(join(out, name));
        deepEqual(got.length, want.length, `${name}: length`);
        const first = got.findIndex((b, i) => b !== want[i]);
        deepEqual(first, -1, `${name}: first difference at byte ${first}`);
      }
      const perFamily = { arm: 6, riscv: 2 }; // micro:bit: 2 chips + universal, per version
      deepEqual(names.length, runnable.reduce((n, f) => n + perFamily[f], 0));
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});
