/**
 * The default loadImage stage: read each input, pick its format, combine the segments.
 *
 * @module
 */
import type { RunContext } from "./context.ts";
import { DeltaflashError, ImageFormatError, UsageError } from "./errors.ts";
import type { ImageFormat } from "./format.ts";
import { FlashImage } from "./image.ts";
import type { Registry } from "./registry.ts";
import type { ImageInput, LoadImageArgs } from "./stages.ts";

/** Parses `file@0x10000` (or `file@65536`) into an input. Windows drive letters are kept. */
export function parseImageSpec(spec: string): ImageInput {
  const at = spec.lastIndexOf("@");
  if (at <= 0) return { file: spec };
  const addr = spec.slice(at + 1);
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(addr)) return { file: spec };
  const address = Number(addr);
  if (address > 0xffffffff) {
    throw new UsageError(`address ${addr} in '${spec}' is beyond the 32-bit address space`, {
      hint: "load addresses run from 0 to 0xffffffff",
    });
  }
  return { file: spec.slice(0, at), address };
}

/** Chooses the format for an input: explicit name, content sniffing, extension, address. */
export function pickFormat(registry: Registry, input: ImageInput, head: Uint8Array): ImageFormat {
  if (input.format) return registry.format(input.format);
  const formats = registry.formats();
  const sniffed = formats.find((f) => f.detect?.(head));
  if (sniffed) return sniffed;
  const lower = input.file.toLowerCase();
  const byExt = formats.find((f) => f.extensions.some((e) => lower.endsWith(e)));
  if (byExt) return byExt;
  const raw = formats.find((f) => f.needsAddress);
  if (raw && input.address !== undefined) return raw;
  throw new UsageError(`cannot tell the format of ${input.file}`, {
    hint: `give a load address for raw binaries (${input.file}@0x10000) or a format (${
      formats.map((f) => f.name).join(", ")
    })`,
  });
}

/** Reads a file with a typed error when it is missing or unreadable. */
export async function readInput(input: ImageInput): Promise<Uint8Array> {
  if (input.bytes) return input.bytes;
  try {
    return await Deno.readFile(input.file);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new DeltaflashError("E_NO_FILE", `no such file: ${input.file}`, {
        hint: "check the path (relative paths are from the current directory)",
      });
    }
    throw new DeltaflashError("E_READ", `cannot read ${input.file}: ${(e as Error).message}`);
  }
}

/** Loads one input into an image. */
export async function loadInput(
  registry: Registry,
  input: ImageInput,
  options: Readonly<Record<string, unknown>> = {},
): Promise<FlashImage> {
  const bytes = await readInput(input);
  const format = pickFormat(registry, input, bytes.subarray(0, 64));
  if (format.needsAddress && input.address === undefined) {
    throw new UsageError(`${input.file} is a ${format.name} image and needs a load address`, {
      hint: `write it as ${input.file}@0x10000`,
    });
  }
  try {
    return format.load(bytes, { source: input.file, address: input.address, options });
  } catch (e) {
    if (e instanceof DeltaflashError) throw e;
    throw new ImageFormatError(input.file, (e as Error).message, { cause: e });
  }
}

/** The kernel's loadImage stage. */
export function defaultLoadImage(registry: Registry) {
  return async (_ctx: RunContext, args: LoadImageArgs): Promise<FlashImage> => {
    const images = [];
    for (const input of args.inputs) {
      images.push(await loadInput(registry, input, args.formatOptions));
    }
    return FlashImage.from(images.flatMap((i) => i.segments));
  };
}
