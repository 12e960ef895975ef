import { deepEqual, equal, match } from "node:assert/strict";
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

async function bashScript(): Promise<string> {
  const r = await runCli(["completions", "bash"]);
  equal(r.code, 0);
  const file = await Deno.makeTempFile({ suffix: ".bash" });
  await Deno.writeTextFile(file, r.stdout);
  return file;
}

/** What bash offers for the words typed so far (the last one being completed). */
async function complete(file: string, ...words: string[]): Promise<string[]> {
  const quoted = words.map((w) => `'${w}'`).join(" ");
  const r = await bash(
    `source ${file}; COMP_WORDS=(deltaflash ${quoted}); COMP_CWORD=${words.length}; ` +
      `_deltaflash_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
  );
  return r.out.split("\n").filter(Boolean);
}

Deno.test("completions bash: target names, chip names and sim: addresses as values", async () => {
  const file = await bashScript();
  deepEqual(await complete(file, "flash", "--target", "esp32c"), [
    "esp32c2",
    "esp32c3",
    "esp32c6",
  ]);
  // Chip names (aliases) complete after -c/--chip.
  deepEqual(await complete(file, "flash", "-c", "nrf5"), ["nrf51822", "nrf52833", "nrf52840"]);
  deepEqual(await complete(file, "info", "--port", "sim:esp32s"), ["sim:esp32s2", "sim:esp32s3"]);
  deepEqual(await complete(file, "flash", "--probe", "sim:micro"), [
    "sim:microbit-v1",
    "sim:microbit-v2",
  ]);
  deepEqual(await complete(file, "flash", "--before", "no"), ["no_reset", "no-reset"]);
  deepEqual(await complete(file, "flash", "--mode", ""), ["diff", "full"]);
});

Deno.test("completions: every option is offered once", async () => {
  const file = await bashScript();
  for (const cmd of ["flash", "plan", "info", "ports", "probes", "monitor"]) {
    const offered = await complete(file, cmd, "--");
    deepEqual(offered, [...new Set(offered)], `${cmd}: ${offered.join(" ")}`);
    match(offered.join(" "), /--chip/);
  }
  for (const shell of ["zsh", "fish"]) {
    const r = await runCli(["completions", shell]);
    for (const line of r.stdout.split("\n").filter((l) => l.includes("_arguments"))) {
      const opts = [...line.matchAll(/'(--[a-z-]+)\[/g)].map((m) => m[1]);
      deepEqual(opts, [...new Set(opts)], line.slice(0, 40));
    }
    if (shell === "fish") {
      const longs = r.stdout.split("\n").filter((l) => !l.includes("__fish_seen_subcommand_from"))
        .flatMap((l) => [...l.matchAll(/ -l '?([a-z-]+)/g)].map((m) => m[1]));
      deepEqual(longs, [...new Set(longs)]);
    }
  }
});
