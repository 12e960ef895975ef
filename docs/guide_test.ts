// Follows docs/writing-a-target-plugin.md literally: the first `sh` block runs in this checkout
// (whatever its folder is called) with HOME set to a temporary folder, every file block (first
// line `// my-board/<file>`) is written into the project it creates there, every `sh` block
// runs in order with bash, and the `text` block after a command block must appear in its
// output (whitespace-insensitive; `…` matches anything).
import { match } from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const GUIDE = new URL("./writing-a-target-plugin.md", import.meta.url);
const REPO = dirname(dirname(fileURLToPath(import.meta.url)));

/** A fenced block of the guide. */
export interface Block {
  /** Info string (language). */
  readonly lang: string;
  /** Contents without the fences. */
  readonly body: string;
}

/** The fenced code blocks of a markdown text, in order. */
export function fencedBlocks(markdown: string): Block[] {
  const out: Block[] = [];
  const re = /^```(\S*)[^\n]*\n([\s\S]*?)^```\s*$/gm;
  for (let m; (m = re.exec(markdown));) out.push({ lang: m[1], body: m[2] });
  return out;
}

/** A regular expression for an expected output line. */
export function linePattern(line: string): RegExp {
  const parts = line.trim().split("…").map((p) =>
    p.trim().split(/\s+/).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("\\s+")
  );
  return new RegExp(parts.join(".*"));
}

Deno.test("the guide's files and commands work as written", async () => {
  const blocks = fencedBlocks(await Deno.readTextFile(GUIDE));
  const root = await Deno.makeTempDir({ prefix: "deltaflash-guide-" });
  const home = Deno.env.get("HOME");
  const env = {
    PATH: `${dirname(Deno.execPath())}:${Deno.env.get("PATH") ?? ""}`,
    NO_COLOR: "1",
    HOME: root,
    // The same module cache as this run (it defaults to one under HOME).
    DENO_DIR: Deno.env.get("DENO_DIR") ?? join(home ?? root, ".cache", "deno"),
  };
  let cwd = REPO;
  let lastOutput = "";
  let commands = 0, files = 0, checks = 0;
  try {
    for (const block of blocks) {
      const first = block.body.split("\n", 1)[0];
      const file = /^\/\/ (my-board\/\S+)$/.exec(first)?.[1];
      if (file) {
        await Deno.mkdir(dirname(join(root, file)), { recursive: true });
        await Deno.writeTextFile(join(root, file), block.body);
        files++;
      } else if (block.lang === "sh") {
        const script = `set -e\ncd "${cwd}"\n${block.body}\npwd > "${root}/.cwd"\n`;
        const out = await new Deno.Command("bash", { args: ["-c", script], env }).output();
        lastOutput = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
        if (!out.success) throw new Error(`guide command failed:\n${block.body}\n${lastOutput}`);
        cwd = (await Deno.readTextFile(`${root}/.cwd`)).trim();
        commands++;
      } else if (block.lang === "text") {
        for (const line of block.body.split("\n").filter((l) => l.trim())) {
          match(
            lastOutput,
            linePattern(line),
            `expected output line: ${line}\ngot:\n${lastOutput}`,
          );
          checks++;
        }
      }
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
  // The guide has a setup, a targets, a flash and a test step, with their files and output.
  if (files < 4 || commands < 4 || checks < 4) {
    throw new Error(`guide parse found ${files} files, ${commands} commands, ${checks} checks`);
  }
});

Deno.test("guide harness: output patterns match whitespace-insensitively, `…` as a wildcard", () => {
  const p = linePattern("wrote 5 of 5 pages (5 KiB) in …, 0 unchanged, verified");
  match("wrote 5 of 5 pages (5 KiB) in 8 ms, 0 unchanged, verified", p);
  if (p.test("wrote 4 of 5 pages (5 KiB) in 8 ms, 0 unchanged, verified")) {
    throw new Error("pattern too loose");
  }
  const blocks = fencedBlocks("a\n```sh\nls\n```\n\n```text\nx\n```\n");
  match(JSON.stringify(blocks), /"lang":"sh","body":"ls\\n"}.*"lang":"text"/);
});
