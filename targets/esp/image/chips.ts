/**
 * The image tools' view of the chip files (`../chips/`): image chip id, bootloader offset,
 * the flash-mapped (IROM/DROM) windows, the memory map used to decide which ELF sections may
 * be merged, flash frequency codes and MMU page sizes; and lookups over them.
 *
 * Sources: esptool `targets/*.py` and esptool-js `lib/targets/*.js` (constants
 * `IMAGE_CHIP_ID`, `BOOTLOADER_FLASH_OFFSET`, `IROM_MAP_*`, `DROM_MAP_*`, `MEMORY_MAP`,
 * `FLASH_FREQUENCY`), esptool `bin_image.py` (`MMU_PAGE_SIZE_CONF`).
 *
 * @module
 */
import { UsageError } from "../../../kernel/mod.ts";
import { ESP_CHIP_FILES, type EspImageChip } from "../chips/mod.ts";

export type { EspImageChip, MemoryArea } from "../chips/mod.ts";

/** Every chip the image code supports (from the chip files). */
export const ESP_IMAGE_CHIPS: readonly EspImageChip[] = ESP_CHIP_FILES.map((c) => c.image);

const normalise = (s: string) => s.toLowerCase().replace(/[-_\s()]/g, "");

/** The chip named `name` (`esp32c3`, `ESP32-C3`, `c3`), or a UsageError listing the known ones. */
export function espImageChip(name: string): EspImageChip {
  const n = normalise(name);
  const hit = ESP_IMAGE_CHIPS.find((c) =>
    c.name === n || normalise(c.display) === n || c.name === `esp32${n}`
  );
  if (!hit) {
    throw new UsageError(`unknown ESP chip '${name}'`, {
      hint: `known chips: ${ESP_IMAGE_CHIPS.map((c) => c.name).join(", ")}`,
    });
  }
  return hit;
}

/** The chip whose image header carries `chipId`, if any. */
export function chipByImageId(chipId: number): EspImageChip | undefined {
  return ESP_IMAGE_CHIPS.find((c) => c.imageChipId === chipId);
}

/** True when `address` is in the chip's flash-mapped IROM or DROM window. */
export function isFlashMapped(chip: EspImageChip, address: number): boolean {
  return (address >= chip.irom[0] && address < chip.irom[1]) ||
    (address >= chip.drom[0] && address < chip.drom[1]);
}

/** The memory kinds (esptool names) whose areas contain `address`, in table order. */
export function memoryKinds(chip: EspImageChip, address: number): string[] {
  return chip.memoryMap.filter(([s, e]) => address >= s && address < e).map(([, , k]) => k);
}
