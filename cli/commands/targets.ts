/**
 * `targets`: what the loaded plugins provide.
 *
 * @module
 */
import type { CommandSpec } from "../commander.ts";
import { printable } from "../../kernel/mod.ts";
import { pluginOrigin } from "../plugins.ts";
import { type CliIO, type GlobalOptions, openSession } from "../session.ts";
import { describeOptions, optionGroups } from "../target_options.ts";

/** The `targets` command. */
export function targetsCommand(io: CliIO): CommandSpec {
  return {
    name: "targets",
    description:
      "list targets (with -v: their options, hash algorithms, formats, transports, plugins and where they came from, plugin errors)",
    async run(_args, o) {
      const s = await openSession(o as GlobalOptions, io);
      const r = s.registry;
      if (s.options.json) {
        io.out(JSON.stringify(
          {
            targets: r.targets().map((t) => ({
              name: t.name,
              aliases: t.aliases ?? [],
              family: t.family,
              link: t.link,
              description: t.description,
              hash: t.hash,
              options: Object.fromEntries(
                (t.options?.keys ?? []).map((k) => {
                  const spec = t.options!.specs[k];
                  return [k, {
                    values: spec.values,
                    ...(spec.choices ? { choices: spec.choices } : {}),
                    ...(spec.default !== undefined ? { default: spec.default } : {}),
                    description: spec.description,
                  }];
                }),
              ),
            })),
            hashes: r.hashes().map((h) => h.name),
            formats: r.formats().map((f) => f.name),
            transports: r.transports().map((t) => `${t.kind}:${t.scheme}`),
            plugins: r.loaded.map((p) => ({
              specifier: p.specifier,
              origin: pluginOrigin(p.specifier, s.config),
              registered: p.registered,
            })),
            pluginErrors: r.failures.map((f) => ({
              specifier: f.specifier,
              message: f.error.message,
            })),
          },
          null,
          2,
        ));
        return 0;
      }
      const ts = r.targets();
      if (!ts.length) io.out("no targets loaded");
      const w = Math.max(6, ...ts.map((t) => t.name.length));
      for (const t of ts) {
        io.out(`${t.name.padEnd(w)}  ${t.family.padEnd(6)} ${t.link.padEnd(6)} ${t.description}`);
      }
      if (s.options.verbose) {
        for (const g of optionGroups(ts)) {
          io.out(`\noptions of ${g.targets.join(", ")} (-O key=value):`);
          for (const line of describeOptions(g.schema)) io.out(line);
        }
        io.out(`\nhash algorithms: ${r.hashes().map((h) => h.name).join(", ")}`);
        io.out(`image formats:   ${r.formats().map((f) => f.name).join(", ")}`);
        io.out(
          `transports:      ${
            r.transports().map((t) => `${t.kind}:${t.scheme}`).join(", ") || "none"
          }`,
        );
        io.out("plugins:");
        for (const p of r.loaded) {
          io.out(`  ${printable(p.specifier)} (${printable(pluginOrigin(p.specifier, s.config))})`);
          const what = [...new Set(p.registered)].join(", ");
          if (what) io.out(`    ${printable(what)}`);
        }
        for (const f of r.failures) io.out(`plugin error:    ${printable(f.error.message)}`);
      }
      return 0;
    },
  };
}
