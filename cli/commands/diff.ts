/**
 * `diff A B`: block-level comparison of two images on the host.
 *
 * @module
 */
import { compareImages, loadInput, parseImageSpec, UsageError } from "../../kernel/mod.ts";
import type { CommandSpec } from "../commander.ts";
import { hex32 } from "../render.ts";
import { type CliIO, type GlobalOptions, openSession, sessionLogger } from "../session.ts";

/** The `diff` command. */
export function diffCommand(io: CliIO): CommandSpec {
  return {
    name: "diff",
    description: "compare two images block by block (no device needed)",
    arguments: [
      { name: "old", description: "old image (file, file.bin@addr)" },
      { name: "new", description: "new image" },
    ],
    options: [
      { flags: "--block <size>", description: "block size in bytes", default: "4096" },
      { flags: "--board <board>", description: "Universal Hex section: v1, v2 or a board id" },
    ],
    examples: ["deltaflash diff old.bin new.bin --block 4096 --json"],
    async run(args, o) {
      const s = await openSession(o as GlobalOptions, io);
      const block = Number(o.block);
      if (!Number.isInteger(block) || block <= 0 || (block & (block - 1)) !== 0) {
        throw new UsageError(`bad block size '${o.block}'`, {
          hint: "use a power of two such as 4096",
        });
      }
      const options = o.board ? { board: o.board } : {};
      // Raw binaries without an address are compared from offset 0.
      const spec = (a: string) => {
        const i = parseImageSpec(a);
        return i.address === undefined && /\.(bin|img|raw)$/i.test(i.file)
          ? { ...i, address: 0 }
          : i;
      };
      const log = sessionLogger(s);
      const a = await loadInput(s.registry, spec(args[0]), options, log);
      const b = await loadInput(s.registry, spec(args[1]), options, log);
      const d = compareImages(a, b, block);
      if (s.options.json) {
        io.out(
          JSON.stringify(
            { old: args[0], new: args[1], ...d, differentBlocks: d.differentBlocks.map(hex32) },
            null,
            2,
          ),
        );
        return 0;
      }
      const pct = d.blocks ? ((100 * d.same) / d.blocks).toFixed(1) : "100.0";
      io.out(
        `${d.blocks} blocks of ${block} B: ${d.same} same, ${d.different} different (${pct}% same), ${d.bytesDiffering} bytes differ`,
      );
      if (d.different && d.different <= 64) {
        io.out(`different: ${d.differentBlocks.map(hex32).join(" ")}`);
      }
      return 0;
    },
  };
}
