/**
 * Stage wrappers the ESP target can use as they are. loadImage turns ELF inputs into app
 * images (at 0x10000 unless `file.elf@addr`), patches the bootloader's flash settings (so the
 * hashed bytes are the written bytes) and refuses images for another chip; queryHashes checks
 * the images against the chip actually detected, before anything is written.
 *
 * Settings are read from the run's format options: `flashMode`, `flashSize`, `flashFreq`
 * (each `keep` by default; for ELF conversion: dio / 4MB / the chip's default frequency) and
 * `appOffset` (default 0x10000).
 *
 * @module
 */
import { FlashImage, type ImageInput, readInput, type StageWrapper } from "../../../kernel/mod.ts";
import { DEFAULT_APP_OFFSET } from "../partition/default.ts";
import { prepareEspRegions } from "./bootloader.ts";
import { checkImageChip } from "./chip_check.ts";
import { type EspImageChip, espImageChip } from "./chips.ts";
import { elfToImage } from "./elf2image.ts";

const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const isElf = (b: Uint8Array) => b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;

/** Replaces an ELF input with its app image as a raw binary; other inputs pass unchanged. */
export async function elfInputToImage(
  chip: EspImageChip,
  input: ImageInput,
  options: Readonly<Record<string, unknown>> = {},
): Promise<ImageInput> {
  const named = input.format === "elf" || (!input.format && /\.elf$/i.test(input.file));
  // Cargo's ELF files have no extension: look at the magic of any unnamed file without address.
  const unnamed = !input.format && input.address === undefined && !/\.[a-z0-9]+$/i.test(input.file);
  if (!named && !unnamed && !(input.bytes && !input.format && isElf(input.bytes))) return input;
  const bytes = await readInput(input);
  if (!isElf(bytes)) return input;
  const image = elfToImage(bytes, {
    chip,
    source: input.file,
    flashMode: str(options.flashMode),
    flashSize: str(options.flashSize)?.toLowerCase() === "detect"
      ? undefined
      : str(options.flashSize),
    flashFreq: str(options.flashFreq),
  });
  const appOffset = typeof options.appOffset === "number" ? options.appOffset : DEFAULT_APP_OFFSET;
  return { file: input.file, bytes: image, address: input.address ?? appOffset, format: "bin" };
}

/** loadImage wrapper: ELF → app image, bootloader header patch, image chip check. */
export function espLoadImageStage(chip: string | EspImageChip): StageWrapper<"loadImage"> {
  const c = typeof chip === "string" ? espImageChip(chip) : chip;
  return (next) => async (ctx, args) => {
    const o = args.formatOptions;
    const inputs = await Promise.all(args.inputs.map((i) => elfInputToImage(c, i, o)));
    const image = await next(ctx, { ...args, inputs });
    let flashSize = str(o.flashSize);
    if (flashSize?.toLowerCase() === "detect") {
      // The image is loaded before the device is connected, so its size is not known yet.
      ctx.log.warn("flash size 'detect' is kept as in the image (size is detected after loading)");
      flashSize = "keep";
    }
    const segments = prepareEspRegions(c, image.segments, {
      flashMode: str(o.flashMode),
      flashSize,
      flashFreq: str(o.flashFreq),
    });
    checkImageChip(c, segments, true);
    return FlashImage.from(segments);
  };
}

/** queryHashes wrapper: refuses images whose chip id differs from the detected chip. */
export function espChipCheckStage(): StageWrapper<"queryHashes"> {
  return (next) => (ctx, args) => {
    checkImageChip(args.device.info.chip, args.image.segments);
    return next(ctx, args);
  };
}
