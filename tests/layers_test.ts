import { deepEqual, equal } from "node:assert/strict";
import { importCycles, moduleGraph } from "../tools/graph.ts";

const ROOT = new URL("..", import.meta.url);

Deno.test("no entry point's module graph has an import cycle", async () => {
  for (
    const entry of [
      "mod.ts",
      "cli.ts",
      "bench/main.ts",
      "testing.ts",
      "sim/mod.ts",
      "campaign/fuzz/main.ts",
      "campaign/faults/main.ts",
    ]
  ) {
    deepEqual(importCycles(await moduleGraph(entry)), [], entry);
  }
});

Deno.test("the cycle finder reports a cycle", () => {
  const graph = new Map([["a.ts", ["b.ts"]], ["b.ts", ["c.ts"]], ["c.ts", ["a.ts"]], ["d.ts", []]]);
  deepEqual(importCycles(graph), [["a.ts", "b.ts", "c.ts", "a.ts"]]);
});

Deno.test("mod.ts is the kernel alone: no plugin, target, probe or simulator is loaded", async () => {
  const modules = [...(await moduleGraph("mod.ts")).keys()];
  deepEqual(modules.filter((m) => m.startsWith("sim/")), []);
  deepEqual(modules.filter((m) => m !== "mod.ts" && !m.startsWith("kernel/")), []);
});

Deno.test("simulators import no host code, and the DAP probe no board", async () => {
  const sims = [...(await moduleGraph("sim/mod.ts")).keys()];
  // (A simulated chip served on a pseudo-terminal uses the serial plugin's pty FFI.)
  deepEqual(sims.filter((m) => /^(targets|probes|cli)\//.test(m)), []);
  for (const e of Deno.readDirSync(new URL("sim/dap/", ROOT))) {
    if (!e.name.endsWith(".ts") || e.name.endsWith("_test.ts")) continue;
    const graph = await moduleGraph(`sim/dap/${e.name}`);
    deepEqual(
      [...graph.keys()].filter((m) => !m.startsWith("sim/dap/") && !m.startsWith("kernel/")),
      [],
      e.name,
    );
  }
});

Deno.test("the STM32F1 example plugin imports only the package's public exports", async () => {
  const exports = JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT))).exports as Record<
    string,
    string
  >;
  const publicFiles = new Set(Object.values(exports).map((p) => p.replace(/^\.\//, "")));
  const dir = "examples/stm32f1-plugin/";
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const e of Deno.readDirSync(new URL(rel, ROOT))) {
      if (e.isDirectory) walk(`${rel}${e.name}/`);
      else if (e.name.endsWith(".ts")) files.push(`${rel}${e.name}`);
    }
  };
  walk(dir);
  let checked = 0;
  for (const file of files) {
    const graph = await moduleGraph(file);
    for (const to of graph.get(file) ?? []) {
      if (to.startsWith(dir)) continue;
      equal(publicFiles.has(to), true, `${file} imports ${to}, which is not a public export`);
      checked++;
    }
  }
  equal(checked > 0, true);
});
