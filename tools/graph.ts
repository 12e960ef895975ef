/**
 * The static module graph of an entry point (from `deno info --json`), its import cycles,
 * and what it loads: `deno task check` fails on a cycle in any entry point's graph, and
 * tests check which layers a graph reaches.
 *
 * Usage: `deno run -A tools/graph.ts mod.ts cli.ts bench/main.ts`
 *
 * @module
 */
import { relative } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";

const ROOT = fromFileUrl(new URL("..", import.meta.url));

interface InfoDependency {
  readonly specifier: string;
  readonly code?: { readonly specifier?: string };
  readonly type?: { readonly specifier?: string };
  readonly isDynamic?: boolean;
}

interface InfoModule {
  readonly specifier: string;
  readonly dependencies?: readonly InfoDependency[];
}

/** Local modules (paths relative to the repository) and their static imports. */
export type ModuleGraph = Map<string, string[]>;

/** The static graph of `entry`: value and type imports, not dynamic `import()`. */
export async function moduleGraph(entry: string): Promise<ModuleGraph> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: InfoModule[] };
  const local = (s?: string) =>
    s?.startsWith("file://") ? relative(ROOT, fromFileUrl(s)) : undefined;
  const graph: ModuleGraph = new Map();
  for (const m of info.modules) {
    const from = local(m.specifier);
    if (!from) continue;
    const to = (m.dependencies ?? []).filter((d) => !d.isDynamic)
      .flatMap((d) => [local(d.code?.specifier), local(d.type?.specifier)])
      .filter((x): x is string => x !== undefined);
    graph.set(from, [...new Set(to)]);
  }
  // Only modules reachable through static imports.
  const seen = new Set<string>();
  const start = local(new URL(entry, `file://${ROOT}/`).href)!;
  const stack = [start];
  while (stack.length) {
    const m = stack.pop()!;
    if (seen.has(m)) continue;
    seen.add(m);
    stack.push(...graph.get(m) ?? []);
  }
  return new Map([...graph].filter(([m]) => seen.has(m)));
}

/** Every import cycle of the graph, one per strongly connected set, as a path of modules. */
export function importCycles(graph: ModuleGraph): string[][] {
  // Tarjan's strongly connected components, iteratively.
  let next = 0;
  const index = new Map<string, number>(), low = new Map<string, number>();
  const onStack = new Set<string>(), stack: string[] = [];
  const components: string[][] = [];
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work: { node: string; edge: number }[] = [{ node: root, edge: 0 }];
    index.set(root, next), low.set(root, next++), stack.push(root), onStack.add(root);
    while (work.length) {
      const top = work[work.length - 1];
      const edges = graph.get(top.node) ?? [];
      if (top.edge < edges.length) {
        const w = edges[top.edge++];
        if (!index.has(w)) {
          index.set(w, next), low.set(w, next++), stack.push(w), onStack.add(w);
          work.push({ node: w, edge: 0 });
        } else if (onStack.has(w)) low.set(top.node, Math.min(low.get(top.node)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
      }
      if (low.get(top.node) === index.get(top.node)) {
        const c: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          c.push(w);
        } while (w !== top.node);
        if (c.length > 1 || (graph.get(c[0]) ?? []).includes(c[0])) components.push(c);
      }
    }
  }
  return components.map((c) => cyclePath(graph, new Set(c)));
}

/** One concrete cycle through a strongly connected set, for the message. */
function cyclePath(graph: ModuleGraph, members: Set<string>): string[] {
  const start = [...members].sort()[0];
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const m = queue.shift()!;
    for (const w of graph.get(m) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [m];
        while (path[0] !== start) path.unshift(prev.get(path[0])!);
        return [...path, start];
      }
      if (!prev.has(w)) (prev.set(w, m), queue.push(w));
    }
  }
  return [start, start];
}

if (import.meta.main) {
  let failed = false;
  for (const entry of Deno.args) {
    for (const cycle of importCycles(await moduleGraph(entry))) {
      console.error(`import cycle in ${entry}'s graph: ${cycle.join(" → ")}`);
      failed = true;
    }
  }
  if (failed) Deno.exit(1);
  console.log(`no import cycles in ${Deno.args.join(", ")}`);
}
