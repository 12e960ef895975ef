/**
 * Image format for partition table CSVs: `partitions.csv` (or `partitions.csv@0x9000`) is
 * flashed as its binary table, at 0x8000 unless an address is given.
 *
 * @module
 */
import { FlashImage, type ImageFormat, type Plugin } from "../../../kernel/mod.ts";
import { parseCsv } from "./csv.ts";
import { DEFAULT_TABLE_OFFSET, encodeTable } from "./table.ts";

/** `.csv` partition tables → the binary table at the table offset. */
export const espPartitionCsv: ImageFormat = {
  name: "esp-partitions",
  description: "ESP-IDF partition table CSV, flashed as its binary at 0x8000 (or file@addr)",
  extensions: [".csv"],
  load(bytes, { source, address, options }) {
    const offset = address ??
      (typeof options.partitionTableOffset === "number"
        ? options.partitionTableOffset
        : DEFAULT_TABLE_OFFSET);
    const flashSize = typeof options.flashSizeBytes === "number"
      ? options.flashSizeBytes
      : undefined;
    const parts = parseCsv(new TextDecoder().decode(bytes), {
      source,
      tableOffset: offset,
      flashSize,
    });
    return FlashImage.from([{ address: offset, data: encodeTable(parts), source }]);
  },
};

/** Registers the partition CSV format. */
export function espPartitionFormat(): Plugin {
  return (host) => host.registerFormat(espPartitionCsv);
}
