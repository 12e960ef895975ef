/**
 * ESP image handling as its own plugin: it wraps the ESP targets' loadImage (ELF → app image,
 * bootloader flash-setting patches) and queryHashes (refuse an image built for another chip
 * before anything is written), registers the partition-table CSV format, and adds the
 * `save-image`, `image-info` and `partition-table` commands.
 *
 * @module
 */
import { type CliCommand, type Plugin, UsageError } from "../../kernel/mod.ts";
import { CHIPS } from "./chips.ts";
import {
  espChipCheckStage,
  espImageChip,
  espLoadImageStage,
  imageInfo,
  saveImage,
} from "./image/mod.ts";
import { espPartitionCsv } from "./partition/format.ts";
import { partitionTable } from "./partition/info.ts";

async function readFile(path: unknown, what: string): Promise<Uint8Array> {
  if (typeof path !== "string" || !path) throw new UsageError(`${what} is required`);
  try {
    return await Deno.readFile(path);
  } catch {
    throw new UsageError(`cannot read ${what} ${path}`, { hint: "check the path" });
  }
}

const str = (v: unknown) => (typeof v === "string" ? v : undefined);

/** `save-image ELF -o OUT --chip C [--merge --bootloader B --partition-table P]`. */
const saveImageCommand: CliCommand = {
  name: "save-image",
  description: "convert an ESP ELF into an app image (with --merge: one whole-flash image)",
  arguments: [{ name: "elf", description: "ESP-IDF/esp-hal ELF file" }],
  options: [
    { flags: "-o, --output <file>", description: "output .bin file" },
    {
      flags: "--chip <chip>",
      description: "esp32, esp32s2, esp32s3, esp32c2, esp32c3, esp32c6, esp32h2",
    },
    { flags: "--flash-mode <mode>", description: "qio, qout, dio, dout" },
    { flags: "--flash-size <size>", description: "e.g. 4MB" },
    { flags: "--flash-freq <freq>", description: "e.g. 40m, 80m" },
    { flags: "--merge", description: "bootloader + partition table + app in one image" },
    { flags: "--bootloader <file>", description: "bootloader image (with --merge)" },
    {
      flags: "--partition-table <file>",
      description: "partition table CSV or binary (with --merge)",
    },
  ],
  async run(args, o, io) {
    const chip = str(o.chip) ?? str(o.target);
    if (!chip) throw new UsageError("--chip is required", { hint: "e.g. --chip esp32c3" });
    if (!o.output) throw new UsageError("--output is required", { hint: "e.g. -o app.bin" });
    const bytes = saveImage(
      {
        elf: await readFile(args[0], "ELF file"),
        chip,
        source: args[0],
        flashMode: str(o.flashMode),
        flashSize: str(o.flashSize),
        flashFreq: str(o.flashFreq),
        merge: o.merge === true,
        bootloader: o.bootloader ? await readFile(o.bootloader, "bootloader") : undefined,
        partitionTable: o.partitionTable
          ? await readFile(o.partitionTable, "partition table")
          : undefined,
      } as Parameters<typeof saveImage>[0],
    );
    await Deno.writeFile(String(o.output), bytes);
    io.out(
      o.json
        ? JSON.stringify({ output: String(o.output), bytes: bytes.length }, null, 2)
        : `wrote ${o.output} (${bytes.length} bytes)`,
    );
  },
};

/** `image-info FILE [--chip C] [--json]`. */
const imageInfoCommand: CliCommand = {
  name: "image-info",
  description: "describe an ESP app/bootloader image or partition table and check it",
  arguments: [{ name: "file", description: "image or partition table" }],
  options: [{ flags: "--chip <chip>", description: "check the image is for this chip" }],
  async run(args, o, io) {
    const chip = str(o.chip);
    const info = imageInfo(await readFile(args[0], "image"), {
      chip: chip ? espImageChip(chip) : undefined,
      source: args[0],
    });
    if (o.json) {
      const { text: _text, ...data } = info as typeof info & { text: string };
      io.out(JSON.stringify(data, (_k, v) => (v instanceof Uint8Array ? v.toHex() : v), 2));
    } else io.out(info.text.trimEnd());
  },
};

/** `partition-table FILE [--to-csv|--to-binary] [-o OUT]`. */
const partitionTableCommand: CliCommand = {
  name: "partition-table",
  description: "validate a partition table and convert between CSV and binary",
  arguments: [{ name: "file", description: "partitions.csv or partitions.bin" }],
  options: [
    { flags: "--to-csv", description: "convert to CSV" },
    { flags: "--to-binary", description: "convert to binary" },
    { flags: "-o, --output <file>", description: "write the converted table here" },
  ],
  async run(args, o, io) {
    const r = partitionTable({
      input: await readFile(args[0], "partition table"),
      source: args[0],
      to: o.toCsv ? "csv" : o.toBinary ? "binary" : undefined,
    });
    if (o.output) {
      const out = typeof r.output === "string" ? new TextEncoder().encode(r.output) : r.output;
      await Deno.writeFile(String(o.output), out);
      io.out(o.json ? JSON.stringify({ output: String(o.output) }, null, 2) : `wrote ${o.output}`);
    } else if (o.json) {
      io.out(JSON.stringify({ partitions: r.partitions }, null, 2));
    } else io.out(r.text.trimEnd());
  },
};

/** The ESP image plugin. */
export function espImages(): Plugin {
  return (host) => {
    host.registerFormat(espPartitionCsv);
    for (const chip of Object.values(CHIPS)) {
      host.wrapStage("loadImage", espLoadImageStage(chip.target), { targets: [chip.target] });
      host.wrapStage("queryHashes", espChipCheckStage(), { targets: [chip.target] });
    }
    for (const c of [saveImageCommand, imageInfoCommand, partitionTableCommand]) {
      host.registerCommand(c);
    }
  };
}
