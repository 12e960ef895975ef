/**
 * Raw binary at an address (`file.bin@0x10000`).
 *
 * @module
 */
import { FlashImage, type ImageFormat } from "../../kernel/mod.ts";

/** Raw bytes; the address comes from `file@addr`. */
export const bin: ImageFormat = {
  name: "bin",
  description: "raw binary, placed at the address given as file@0x10000",
  extensions: [".bin", ".img", ".raw"],
  needsAddress: true,
  load: (bytes, { source, address }) =>
    FlashImage.from([{ address: address ?? 0, data: bytes, source }]),
};
