/**
 * Shell completion scripts generated from the command tree.
 *
 * @module
 */
import type { CommandTree, OptionValues } from "./commander.ts";

const flagsOf = (v: OptionValues) => v.short ? [v.short, v.long] : [v.long];

/** Shells we generate completions for. */
export const SHELLS = ["bash", "zsh", "fish"] as const;

/** Name of a supported shell. */
export type Shell = typeof SHELLS[number];

function bash(name: string, t: CommandTree): string {
  const cases = t.commands.map((c) =>
    `    ${c.name}) opts="${[...c.options, ...t.globalOptions].join(" ")}" ;;`
  ).join("\n");
  const fn = `_${name.replace(/[^a-z0-9]/gi, "_")}_complete`;
  return `# bash completion for ${name}
${fn}() {
  local cur cmd opts prev
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  cmd="\${COMP_WORDS[1]}"
  if [ "$prev" = "-O" ] || [ "$prev" = "--option" ]; then
    COMPREPLY=( $(compgen -W "${(t.optionValues ?? []).join(" ")}" -- "$cur") )
    return 0
  fi
  case "$prev" in
${
    (t.values ?? []).map((v) =>
      `    ${flagsOf(v).join("|")}) COMPREPLY=( $(compgen -W "${v.words.join(" ")}" -- "$cur")${
        v.files ? ` $(compgen -f -- "$cur")` : ""
      } ); return 0 ;;`
    ).join("\n")
  }
  esac
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${
    t.commands.map((c) => c.name).join(" ")
  } --help --version" -- "$cur") )
    return 0
  fi
  case "$cmd" in
${cases}
    *) opts="${t.globalOptions.join(" ")}" ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$opts --help" -- "$cur") )
  else
    COMPREPLY=( $(compgen -f -- "$cur") )
  fi
  return 0
}
complete -o filenames -F ${fn} ${name}
`;
}

function zsh(name: string, t: CommandTree): string {
  const cmds = t.commands.map((c) => `'${c.name}'`).join(" ");
  const values = (t.optionValues ?? []).join(" ");
  const valued = new Map((t.values ?? []).map((v) => [v.long, v]));
  const option = (o: string) => {
    if (o === "--option") return `'*'{-O,--option}'[target option]:key=value:(${values})'`;
    const v = valued.get(o);
    if (!v) return `'${o}[]'`;
    const action = v.files ? `{_files; compadd -- ${v.words.join(" ")}}` : `(${v.words.join(" ")})`;
    return `'${o}[]:${o.slice(2)}:${action}'`;
  };
  const cases = t.commands.map((c) =>
    `    ${c.name}) _arguments '*:file:_files' ${
      [...new Set([...c.options, ...t.globalOptions])].map(option).join(" ")
    } ;;`
  ).join("\n");
  return `#compdef ${name}
_${name}() {
  local -a commands
  commands=(${cmds})
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  case "$words[2]" in
${cases}
  esac
}
compdef _${name} ${name}
`;
}

function fish(name: string, t: CommandTree): string {
  const lines = [`# fish completion for ${name}`, `complete -c ${name} -f`];
  for (const c of t.commands) {
    lines.push(`complete -c ${name} -n '__fish_use_subcommand' -a '${c.name}'`);
    for (const o of c.options) {
      lines.push(
        `complete -c ${name} -n '__fish_seen_subcommand_from ${c.name}' -l '${o.slice(2)}'`,
      );
    }
  }
  const valued = new Map((t.values ?? []).map((v) => [v.long, v]));
  for (const o of t.globalOptions) {
    const v = valued.get(o);
    if (o === "--option") {
      const values = (t.optionValues ?? []).join(" ");
      lines.push(`complete -c ${name} -s O -l option -x -a '${values}'`);
    } else if (v) {
      const short = v.short ? ` -s ${v.short.slice(1)}` : "";
      lines.push(
        `complete -c ${name}${short} -l '${o.slice(2)}' ${v.files ? "-r -F" : "-x"} -a '${
          v.words.join(" ")
        }'`,
      );
    } else lines.push(`complete -c ${name} -l '${o.slice(2)}'`);
  }
  lines.push(`complete -c ${name} -n 'not __fish_use_subcommand' -F`);
  return lines.join("\n") + "\n";
}

/** The completion script for `shell`. */
export function completionScript(shell: Shell, name: string, tree: CommandTree): string {
  return shell === "bash" ? bash(name, tree) : shell === "zsh" ? zsh(name, tree) : fish(name, tree);
}
