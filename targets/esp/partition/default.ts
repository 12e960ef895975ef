/**
 * The default single-app partition table (ESP-IDF `partitions_singleapp.csv`): nvs at 0x9000
 * (0x6000), phy_init at 0xF000 (0x1000), factory app at 0x10000 (1 MiB unless told otherwise).
 *
 * @module
 */
import type { Partition } from "./table.ts";

/** The default factory app offset. */
export const DEFAULT_APP_OFFSET = 0x10000;

/** The default single-app table; `appSize` overrides the factory partition's 1 MiB. */
export function defaultPartitionTable(appSize = 0x100000): Partition[] {
  return [
    { name: "nvs", type: 0x01, subtype: 0x02, offset: 0x9000, size: 0x6000, flags: 0 },
    { name: "phy_init", type: 0x01, subtype: 0x01, offset: 0xf000, size: 0x1000, flags: 0 },
    {
      name: "factory",
      type: 0x00,
      subtype: 0x00,
      offset: DEFAULT_APP_OFFSET,
      size: appSize,
      flags: 0,
    },
  ];
}

/** The app partition an image goes to: `name` if given, else factory, else the first app. */
export function appPartition(parts: readonly Partition[], name?: string): Partition | undefined {
  if (name) return parts.find((p) => p.name === name);
  return parts.find((p) => p.type === 0 && p.subtype === 0) ?? parts.find((p) => p.type === 0);
}
