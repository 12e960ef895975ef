/**
 * `hash`: block digests computed by the device.
 *
 * @module
 */
import {
  type AddressRange,
  FlashImage,
  loadInput,
  parseImageSpec,
  toHex,
  touchedBlocks,
  UsageError,
} from "../../kernel/mod.ts";
import type { CommandSpec } from "../commander.ts";
import { hex32 } from "../render.ts";
import {
  type CliIO,
  connectOptions,
  type GlobalOptions,
  openSession,
  requireTarget,
  runContext,
} from "../session.ts";

function parseRange(text: string): AddressRange {
  const m = /^(0x[0-9a-f]+|\d+)(?::|\.\.)(0x[0-9a-f]+|\d+)$/i.exec(text);
  if (!m || Number(m[2]) <= Number(m[1])) {
    throw new UsageError(`bad range '${text}'`, {
      hint: "write it as START:END, e.g. 0x10000:0x20000",
    });
  }
  return { start: Number(m[1]), end: Number(m[2]) };
}

/** The `hash` command. */
export function hashCommand(io: CliIO): CommandSpec {
  return {
    name: "hash",
    description: "print the device's block hashes (whole flash, a range, or an image's blocks)",
    arguments: [{
      name: "images",
      description: "limit to the blocks these images touch",
      required: false,
      variadic: true,
    }],
    options: [
      { flags: "--range <start:end>", description: "address range, e.g. 0x10000:0x20000" },
      { flags: "--hash <algorithm>", description: "hash algorithm (default: the target's)" },
    ],
    examples: ["deltaflash hash --target esp32c3 --port sim:esp32c3 --range 0x0:0x10000"],
    async run(args, o) {
      const s = await openSession(o as GlobalOptions, io);
      const target = s.registry.target(requireTarget(s));
      // Usage and image errors come before any device is opened.
      const algorithm = (o.hash as string | undefined) ?? target.hash;
      s.registry.hash(algorithm);
      const within = o.range ? parseRange(String(o.range)) : undefined;
      const parts = [];
      for (const a of args) {
        parts.push(await loadInput(s.registry, parseImageSpec(a), target.formatOptions ?? {}));
      }
      const ctx = runContext(s);
      const device = await target.connect(ctx, connectOptions(s, target.link));
      try {
        const blocks = args.length
          ? touchedBlocks(FlashImage.from(parts.flatMap((p) => p.segments)), device.layout)
          : device.layout.regions.flatMap((r) => {
            const lo = Math.max(r.start, within?.start ?? r.start);
            const hi = Math.min(r.start + r.size, within?.end ?? r.start + r.size);
            const out = [];
            for (let a = lo - ((lo - r.start) % r.blockSize); a < hi; a += r.blockSize) {
              out.push({ address: a, size: r.blockSize, covered: r.blockSize });
            }
            return out;
          });
        const digests = await device.hash(
          ctx,
          algorithm,
          blocks.map((b) => ({ start: b.address, end: b.address + b.size })),
        );
        const rows = blocks.map((b, i) => ({
          address: b.address,
          size: b.size,
          digest: toHex(digests[i]),
        }));
        if (s.options.json) {
          io.out(JSON.stringify({ algorithm, device: device.info, blocks: rows }, null, 2));
        } else {for (const r of rows) {
            io.out(`${hex32(r.address)} ${String(r.size).padStart(6)} ${r.digest}`);
          }}
        return 0;
      } finally {
        await device.close();
      }
    },
  };
}
