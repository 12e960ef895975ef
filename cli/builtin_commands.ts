/**
 * Names of the CLI's own commands: a plugin command may not take one.
 *
 * @module
 */

/** Built-in command names (and commander's `help`). */
export const BUILTIN_COMMANDS: readonly string[] = [
  "flash",
  "plan",
  "hash",
  "diff",
  "info",
  "read-flash",
  "erase-region",
  "erase-flash",
  "reset",
  "monitor",
  "targets",
  "probes",
  "completions",
  "help",
];
