/**
 * The nRF loadImage wrapper: drops bytes at RAM addresses (the MakeCode source blob some
 * hex files carry at 0x20000000), names UICR segments so reports show them apart, and refuses
 * an image built for another chip unless forced.
 *
 * @module
 */
import { FlashImage, type StageWrapper } from "../../kernel/mod.ts";
import { type NrfBoard, RAM_BASE, UICR_BASE } from "./chips.ts";
import { checkNrfImage } from "./image_check.ts";

/** Wraps loadImage for an nRF board. */
export function nrfLoadImage(board: NrfBoard): StageWrapper<"loadImage"> {
  return (next) => async (ctx, args) => {
    const image = await next(ctx, args);
    const ram = image.segments.filter((s) => s.address >= RAM_BASE);
    if (ram.length) {
      const bytes = ram.reduce((n, s) => n + s.data.length, 0);
      ctx.log.info(`ignoring ${bytes} bytes at RAM addresses (not flashed; e.g. embedded source)`);
    }
    const flashed = FlashImage.from(
      image.segments.filter((s) => s.address < RAM_BASE).map((s) =>
        s.address >= UICR_BASE && !s.source.endsWith("[uicr]")
          ? { ...s, source: `${s.source}[uicr]` }
          : s
      ),
    );
    if (!args.force) checkNrfImage(flashed, board);
    return flashed;
  };
}
