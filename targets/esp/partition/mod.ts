/**
 * ESP-IDF partition tables: binary ⇄ CSV, validation with CSV line numbers, the default table.
 *
 * @module
 */
export * from "./table.ts";
export * from "./csv.ts";
export * from "./validate.ts";
export * from "./default.ts";
export * from "./info.ts";
export * from "./format.ts";
