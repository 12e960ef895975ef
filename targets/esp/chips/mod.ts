/**
 * The ESP chip files, one a chip as in esptool's `targets/`: each states its loader, eFuse
 * and image facts once; the loader's table (`../chips.ts`) and the image tools' table
 * (`../image/chips.ts`) are views of these.
 *
 * @module
 */
import { esp32 } from "./esp32.ts";
import { esp32s2 } from "./esp32s2.ts";
import { esp32s3 } from "./esp32s3.ts";
import { esp32c2 } from "./esp32c2.ts";
import { esp32c3 } from "./esp32c3.ts";
import { esp32c5 } from "./esp32c5.ts";
import { esp32c6 } from "./esp32c6.ts";
import { esp32h2 } from "./esp32h2.ts";
import { esp32p4 } from "./esp32p4.ts";
import type { EspChipFacts } from "./types.ts";

export type {
  ChipFile,
  EspChip,
  EspChipFacts,
  EspImageChip,
  MemoryArea,
  SpiRegisters,
} from "./types.ts";

/** Every chip, in esptool's order. */
export const ESP_CHIP_FILES: readonly EspChipFacts[] = [
  esp32,
  esp32s2,
  esp32s3,
  esp32c2,
  esp32c3,
  esp32c5,
  esp32c6,
  esp32h2,
  esp32p4,
];
