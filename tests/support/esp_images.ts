/**
 * Small, valid ESP flash contents for tests: app/bootloader images with a real header, checksum
 * and SHA-256, partition tables, and merged whole-flash images built from them.
 *
 * @module
 */
import { type EspAppImage, serializeAppImage } from "../../targets/esp/image/app_image.ts";
import { encodeTable, type Partition } from "../../targets/esp/partition/table.ts";

/** Options of {@link espAppImage}. */
export interface AppImageOptions {
  /** Image chip id (0 ESP32, 5 ESP32-C3, …). */
  readonly chipId?: number;
  /** Bytes in the one flash-mapped segment. */
  readonly size?: number;
  /** Seed of the segment's bytes, so two images differ. */
  readonly seed?: number;
  /** Minimum and maximum chip revision (major × 100 + minor). */
  readonly revisions?: readonly [number, number];
  /** Header byte 3: flash size (high nibble) and frequency (low nibble). */
  readonly flashSizeFreq?: number;
}

/** A valid app (or bootloader) image: one segment, checksum and SHA-256. */
export function espAppImage(o: AppImageOptions = {}): Uint8Array {
  const data = new Uint8Array(o.size ?? 256).map((_, i) => (i * 7 + (o.seed ?? 1)) & 0xff);
  const image: EspAppImage = {
    segmentCount: 1,
    flashMode: 2,
    flashSizeFreq: o.flashSizeFreq ?? 0x20,
    entry: 0x40080000,
    ext: {
      wpPin: 0xee,
      spiDrive: [0, 0, 0],
      chipId: o.chipId ?? 0,
      minRev: 0,
      minRevFull: o.revisions?.[0] ?? 0,
      maxRevFull: o.revisions?.[1] ?? 0,
      reserved: [0, 0, 0, 0],
      hashAppended: 1,
    },
    segments: [{ address: 0x3f400020, data }],
    padding: new Uint8Array(0),
    checksum: 0,
    trailer: new Uint8Array(0),
  };
  return serializeAppImage(image, { recompute: true });
}

/** A partition table binary (with its MD5 entry). */
export function partitionTable(parts: readonly Partition[]): Uint8Array {
  return encodeTable(parts);
}

const app = (name: string, subtype: number, offset: number, size: number): Partition => ({
  type: 0,
  subtype,
  offset,
  size,
  name,
  flags: 0,
});

/** nvs, factory at 0x10000, ota_0 at 0x110000, and a data partition to `flash` if room. */
export function factoryOtaTable(flash: number): Partition[] {
  return [
    { type: 1, subtype: 2, offset: 0x9000, size: 0x6000, name: "nvs", flags: 0 },
    app("factory", 0x00, 0x10000, 0x100000),
    app("ota_0", 0x10, 0x110000, 0x100000),
    ...(flash > 0x210000
      ? [{
        type: 1,
        subtype: 0x82,
        offset: 0x210000,
        size: flash - 0x210000,
        name: "storage",
        flags: 0,
      }]
      : []),
  ];
}

/** Options of {@link mergedImage}. */
export interface MergedOptions {
  /** Whole flash size; the image covers all of it. */
  readonly flash: number;
  /** Bootloader offset (0x1000 on ESP32/S2, 0 on C3/S3/C6…). */
  readonly bootloaderOffset?: number;
  /** Image chip id of the bootloader and apps. */
  readonly chipId?: number;
}

/** A whole-flash image: bootloader, partition table, factory and ota_0 apps, filled storage. */
export function mergedImage(o: MergedOptions): Uint8Array {
  const out = new Uint8Array(o.flash).fill(0xff);
  const chipId = o.chipId ?? 0;
  out.set(espAppImage({ chipId, seed: 3, size: 1024 }), o.bootloaderOffset ?? 0x1000);
  out.set(partitionTable(factoryOtaTable(o.flash)), 0x8000);
  out.set(espAppImage({ chipId, seed: 5, size: 4096, revisions: [3, 199] }), 0x10000);
  out.set(espAppImage({ chipId, seed: 7, size: 2048 }), 0x110000);
  for (let a = 0x210000; a < o.flash; a += 4096) out.fill((a >> 12) & 0xff, a, a + 4096);
  return out;
}

/** Arduino-ESP32's default layout (default.csv): two 1.25 MiB OTA apps from 0x10000. */
export function arduinoDefaultTable(): Uint8Array {
  return encodeTable([
    { type: 1, subtype: 0x02, offset: 0x9000, size: 0x5000, name: "nvs", flags: 0 },
    { type: 1, subtype: 0x00, offset: 0xe000, size: 0x2000, name: "otadata", flags: 0 },
    app("app0", 0x10, 0x10000, 0x140000),
    app("app1", 0x11, 0x150000, 0x140000),
    { type: 1, subtype: 0x82, offset: 0x290000, size: 0x160000, name: "spiffs", flags: 0 },
    { type: 1, subtype: 0x03, offset: 0x3f0000, size: 0x10000, name: "coredump", flags: 0 },
  ]);
}
