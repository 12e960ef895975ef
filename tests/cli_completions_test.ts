import { equal, match } from "node:assert/strict";
import { runCli } from "./support/run_cli.ts";

async function bash(script: string): Promise<{ code: number; out: string }> {
  const r = await new Deno.Command("bash", {
    args: ["-c", script],
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  return { code: r.code, out: new TextDecoder().decode(r.stdout).trim() };
}

Deno.test("completions bash: valid syntax and completes commands and options", async () => {
  const r = await runCli(["completions", "bash"]);
  equal(r.code, 0);
  const file = await Deno.makeTempFile({ suffix: ".bash" });
  await Deno.writeTextFile(file, r.stdout);
  equal((await bash(`bash -n ${file}`)).code, 0);
  const cmd = await bash(
    `source ${file}; COMP_WORDS=(deltaflash fl); COMP_CWORD=1; _deltaflash_complete; echo "\${COMPREPLY[@]}"`,
  );
  equal(cmd.out, "flash");
  const opt = await bash(
    `source ${file}; COMP_WORDS=(deltaflash flash --no-v); COMP_CWORD=2; _deltaflash_complete; echo "\${COMPREPLY[@]}"`,
  );
  equal(opt.out, "--no-verify");
});

Deno.test("completions zsh and fish name every command; unknown shells are usage errors", async () => {
  for (const shell of ["zsh", "fish"]) {
    const r = await runCli(["completions", shell]);
    equal(r.code, 0);
    for (const c of ["flash", "plan", "hash", "diff", "targets"]) match(r.stdout, new RegExp(c));
  }
  equal((await runCli(["completions", "tcsh"])).code, 2);
});
