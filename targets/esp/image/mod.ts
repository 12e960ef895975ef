/**
 * ESP-IDF app/bootloader images: parse, validate, build from ELF, patch bootloader flash
 * settings, check the chip, describe; plus the partition table functions.
 *
 * @module
 */
export * from "./chips.ts";
export * from "./flash_params.ts";
export * from "./app_image.ts";
export * from "./elf_sections.ts";
export * from "./layout.ts";
export * from "./elf2image.ts";
export * from "./bootloader.ts";
export * from "./chip_check.ts";
export * from "./info.ts";
export * from "./merged_info.ts";
export * from "./image_info.ts";
export * from "./save_image.ts";
export * from "./stages.ts";
export * from "./placement.ts";
export * from "../partition/mod.ts";
