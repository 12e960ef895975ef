/**
 * Stage wrappers the ESP target can use as they are: loadImage patches the bootloader's flash
 * settings (so the hashed bytes are the written bytes) and refuses images for another chip;
 * queryHashes checks the images against the chip actually detected, before anything is written.
 *
 * Flash settings are read from the run's format options: `flashMode`, `flashSize`,
 * `flashFreq` (each `keep` by default).
 *
 * @module
 */
import { FlashImage, type StageWrapper } from "../../../kernel/mod.ts";
import { prepareEspRegions } from "./bootloader.ts";
import { checkImageChip } from "./chip_check.ts";
import { type EspImageChip, espImageChip } from "./chips.ts";

const str = (v: unknown) => (typeof v === "string" ? v : undefined);

/** loadImage wrapper: bootloader header patch + image chip check against the target's chip. */
export function espLoadImageStage(chip: string | EspImageChip): StageWrapper<"loadImage"> {
  const c = typeof chip === "string" ? espImageChip(chip) : chip;
  return (next) => async (ctx, args) => {
    const image = await next(ctx, args);
    const o = args.formatOptions;
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
    checkImageChip(c, segments);
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
