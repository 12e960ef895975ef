/**
 * Device commands: `info`, `read-flash`, `erase-region`, `erase-flash`, `reset`.
 *
 * @module
 */
import {
  type AddressRange,
  DeltaflashError,
  errorMessage,
  type FlashDevice,
  parseSize,
  type RunContext,
  UsageError,
} from "../../kernel/mod.ts";
import type { CommandSpec } from "../commander.ts";
import { resolveTarget } from "../detect.ts";
import { formatBytes, hex32 } from "../render.ts";
import {
  type CliIO,
  connectOptions,
  type GlobalOptions,
  openSession,
  runContext,
  type Session,
} from "../session.ts";

/** Parses an address or length: `0x10000`, `65536`, `64K`, `4M`. */
export function parseAmount(text: string, what: string): number {
  const n = parseSize(text);
  if (n === undefined || n < 0) {
    throw new UsageError(`bad ${what} '${text}'`, { hint: "use 0x10000, 65536, 64K or 4M" });
  }
  return n;
}

/** Connects to the configured device, runs `fn`, always closes. */
export async function withDevice<T>(
  s: Session,
  fn: (device: FlashDevice, ctx: RunContext) => Promise<T>,
): Promise<T> {
  const target = s.registry.target(await resolveTarget(s));
  const ctx = runContext(s);
  const device = await target.connect(ctx, connectOptions(s, target.link));
  try {
    return await fn(device, ctx);
  } finally {
    await device.close();
  }
}

function unsupported(what: string, device: FlashDevice): never {
  throw new DeltaflashError(
    "E_UNSUPPORTED",
    `${device.info.chip}: this connection cannot ${what}`,
    {
      hint: "a flasher stub or another link may support it",
    },
  );
}

function checkAligned(device: FlashDevice, r: AddressRange): void {
  const region = device.layout.regions.find((x) => r.start >= x.start && r.end <= x.start + x.size);
  if (!region) {
    throw new UsageError(`${hex32(r.start)}–${hex32(r.end)} is not inside one flash region`);
  }
  const bs = region.blockSize;
  if ((r.start - region.start) % bs || (r.end - region.start) % bs) {
    throw new UsageError(`erase range must be aligned to the ${bs}-byte block size`, {
      hint: `e.g. ${hex32(r.start - ((r.start - region.start) % bs))}`,
    });
  }
}

/** The device commands. */
export function deviceCommands(io: CliIO): CommandSpec[] {
  const session = (o: Record<string, unknown>) => openSession(o as GlobalOptions, io);
  return [
    {
      name: "info",
      description: "show the connected chip: identity, flash geometry, hash algorithms",
      examples: ["deltaflash info --target esp32c3 --port sim:esp32c3"],
      async run(_args, o) {
        const s = await session(o);
        return await withDevice(s, async (d, ctx) => {
          const described = d.describe ? await d.describe(ctx) : d.info;
          const info = {
            chip: described.chip,
            details: described.details ?? {},
            regions: d.layout.regions,
            hashAlgorithms: d.hashAlgorithms,
            capabilities: ["read", "erase", "reset", "monitor"].filter((k) =>
              typeof (d as unknown as Record<string, unknown>)[k] === "function"
            ),
          };
          if (s.options.json) {
            io.out(JSON.stringify(info, null, 2));
            return 0;
          }
          io.out(`chip:        ${info.chip}`);
          for (const [k, v] of Object.entries(info.details)) io.out(`${`${k}:`.padEnd(12)} ${v}`);
          for (const r of d.layout.regions) {
            io.out(
              `memory:      ${r.name} ${hex32(r.start)}–${hex32(r.start + r.size)} (${
                formatBytes(r.size)
              }), ${formatBytes(r.blockSize)} blocks`,
            );
          }
          io.out(`hashes:      ${info.hashAlgorithms.join(", ")}`);
          io.out(`can also:    ${info.capabilities.join(", ") || "-"}`);
          return 0;
        });
      },
    },
    {
      name: "read-flash",
      description: "read flash into a file",
      arguments: [
        { name: "address", description: "start address" },
        { name: "length", description: "bytes (0x1000, 64K, 1M)" },
        { name: "file", description: "output file" },
      ],
      async run(args, o) {
        const s = await session(o);
        const address = parseAmount(args[0], "address"), length = parseAmount(args[1], "length");
        return await withDevice(s, async (d, ctx) => {
          if (!d.read) unsupported("read flash", d);
          const bytes = await d.read(ctx, address, length);
          await Deno.writeFile(args[2], bytes).catch((e) => {
            throw new DeltaflashError("E_WRITE", `cannot write ${args[2]}: ${errorMessage(e)}`, {
              hint: "check the output path",
            });
          });
          if (s.options.json) {
            io.out(JSON.stringify({ address, length: bytes.length, file: args[2] }, null, 2));
          } else io.out(`read ${formatBytes(bytes.length)} from ${hex32(address)} into ${args[2]}`);
          return 0;
        });
      },
    },
    {
      name: "erase-region",
      description: "erase a block-aligned region",
      arguments: [
        { name: "address", description: "start address (block-aligned)" },
        { name: "length", description: "bytes (block multiple)" },
      ],
      async run(args, o) {
        const s = await session(o);
        const start = parseAmount(args[0], "address");
        const range = { start, end: start + parseAmount(args[1], "length") };
        return await withDevice(s, async (d, ctx) => {
          if (!d.erase) unsupported("erase", d);
          checkAligned(d, range);
          await d.erase(ctx, [range]);
          if (s.options.json) io.out(JSON.stringify({ erased: [range] }, null, 2));
          else io.out(`erased ${hex32(range.start)}–${hex32(range.end)}`);
          return 0;
        });
      },
    },
    {
      name: "erase-flash",
      description: "erase the whole flash",
      async run(_args, o) {
        const s = await session(o);
        return await withDevice(s, async (d, ctx) => {
          if (!d.erase) unsupported("erase", d);
          const ranges = d.layout.regions.map((r) => ({ start: r.start, end: r.start + r.size }));
          await d.erase(ctx, ranges);
          if (s.options.json) io.out(JSON.stringify({ erased: ranges }, null, 2));
          else io.out(`erased ${formatBytes(ranges.reduce((n, r) => n + r.end - r.start, 0))}`);
          return 0;
        });
      },
    },
    {
      name: "reset",
      description: "restart the chip into its application",
      async run(_args, o) {
        const s = await session(o);
        return await withDevice(s, async (d, ctx) => {
          if (!d.reset) unsupported("reset the chip", d);
          await d.reset(ctx);
          io.out(s.options.json ? JSON.stringify({ reset: true }) : "reset");
          return 0;
        });
      },
    },
  ];
}
