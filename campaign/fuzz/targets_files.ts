/**
 * Fuzz targets for file formats: Intel HEX, Universal Hex, ELF, ESP app/bootloader images,
 * partition tables (binary and CSV) and the project configuration.
 *
 * @module
 */
import { loadConfig } from "../../cli/config.ts";
import { DeltaflashError } from "../../kernel/mod.ts";
import { elf, parseElf32 } from "../../plugins/formats/elf.ts";
import { ihex, parseIntelHex } from "../../plugins/formats/ihex.ts";
import { elfToImage } from "../../targets/esp/image/elf2image.ts";
import { loadableSections, readElfSections } from "../../targets/esp/image/elf_sections.ts";
import { checkAppImage, parseAppImage } from "../../targets/esp/image/app_image.ts";
import { imageInfo } from "../../targets/esp/image/info.ts";
import { formatCsv, parseCsv } from "../../targets/esp/partition/csv.ts";
import { defaultPartitionTable } from "../../targets/esp/partition/default.ts";
import { espPartitionCsv } from "../../targets/esp/partition/format.ts";
import { readPartitionTable, renderPartitionTable } from "../../targets/esp/partition/info.ts";
import { decodeTable, encodeTable } from "../../targets/esp/partition/table.ts";
import { validateTable } from "../../targets/esp/partition/validate.ts";
import { fromLatin1 } from "./mutate.ts";
import { firmwareFiles, lineWindow, textSeeds } from "./seeds.ts";
import type { FuzzTarget } from "./target.ts";

const EOF_RECORD = ":00000001FF\n";
const latin1 = new TextDecoder("latin1");

/** Recomputes the checksum of every well-formed-looking record. */
function fixHexChecksums(input: Uint8Array): Uint8Array {
  const text = latin1.decode(input).replace(
    /^:([0-9A-Fa-f]{8,}?)[0-9A-Fa-f]{2}(\r?)$/gm,
    (line, body, cr) => {
      if (body.length % 2) return line;
      let sum = 0;
      for (let i = 0; i < body.length; i += 2) sum += parseInt(body.slice(i, i + 2), 16);
      return `:${body}${
        ((0x100 - (sum & 0xff)) & 0xff).toString(16).padStart(2, "0").toUpperCase()
      }${cr}`;
    },
  );
  return fromLatin1(text);
}

/** Plain Intel HEX: nRF52840 bootloader releases and MicroPython V1 builds. */
export const ihexTarget: FuzzTarget = {
  name: "ihex",
  description: "Intel HEX: parseIntelHex, then the ihex format's load",
  text: true,
  weight: 12,
  origin: "firmware",
  seeds: async () => [
    ...await firmwareFiles("nrf52/adafruit-feather-nrf52840-bootloader", /\.hex$/),
    ...await firmwareFiles("microbit/micropython", /^micropython-v1.*\.hex$/),
  ],
  window: (seed, rng) => rng.chance(0.01) ? seed : lineWindow(seed, rng, 400, 0, EOF_RECORD),
  repair: fixHexChecksums,
  run(input) {
    parseIntelHex(latin1.decode(input), "fuzz.hex");
    return ihex.load(input, { source: "fuzz.hex", options: {} });
  },
};

/** micro:bit Universal Hex: MakeCode programs, MicroPython V2 and the format's test vector. */
export const universalHexTarget: FuzzTarget = {
  name: "universal-hex",
  description: "micro:bit Universal Hex: parse, then select the V1 and V2 sections",
  text: true,
  weight: 12,
  origin: "firmware",
  seeds: async () => [
    ...await firmwareFiles("microbit/makecode-universal-hex", /\.hex$/),
    ...await firmwareFiles("microbit/universal-hex-format", /\.hex$/),
    ...await firmwareFiles("microbit/micropython", /(universal|v2).*\.hex$/),
  ],
  // Keep the first records (the block start) so windows stay universal.
  window: (seed, rng) =>
    rng.chance(0.01) ? seed : lineWindow(seed, rng, 400, 2, ":0000000BF5\n" + EOF_RECORD),
  repair: fixHexChecksums,
  run(input) {
    const parsed = parseIntelHex(latin1.decode(input), "fuzz.hex");
    if (!parsed.universal) return parsed;
    for (const board of ["v1", "v2"]) {
      try {
        ihex.load(input, { source: "fuzz.hex", options: { board } });
      } catch (e) {
        // A missing section is an expected typed error; keep trying the other board.
        if (!(e instanceof DeltaflashError)) throw e;
      }
    }
  },
};

/** ELF32: the esptool test ELFs (Xtensa bootloader and app). */
export const elfTarget: FuzzTarget = {
  name: "elf",
  description: "ELF32: program headers, the elf format's load, sections, elf2image",
  weight: 8,
  origin: "firmware",
  seeds: () => firmwareFiles("esp32/esptool-test-images", /\.elf$/),
  run(input) {
    parseElf32(input, "fuzz.elf");
    elf.load(input, { source: "fuzz.elf", options: {} });
    loadableSections(readElfSections(input, "fuzz.elf"));
    return elfToImage(input, { chip: "esp32", source: "fuzz.elf" });
  },
};

/** ESP app and bootloader images (ESP32, C3, S2). */
export const espImageTarget: FuzzTarget = {
  name: "esp-image",
  description: "ESP image: image-info (header, segments, checksum, SHA-256, app descriptor)",
  weight: 10,
  origin: "firmware",
  seeds: async () => [
    ...await firmwareFiles("esp32/sha2017-badge", /\.bin$/),
    ...await firmwareFiles("esp32/esp32c3-beehive-idf", /^(bootloader|hello).*\.bin$/),
    ...await firmwareFiles("esp32/esptool-test-images", /^(bootloader|esp_idf).*\.bin$/),
  ],
  run(input) {
    const info = imageInfo(input, { source: "fuzz.bin" });
    if (info.kind === "app-image") checkAppImage(parseAppImage(input, "fuzz.bin"), input);
    return info;
  },
};

/** Binary partition tables. */
export const partitionBinTarget: FuzzTarget = {
  name: "partition-bin",
  description: "partition table binary: decode, validate, render, convert to CSV",
  weight: 8,
  origin: "firmware+generated",
  seeds: async () => [
    ...await firmwareFiles("esp32/esp32c3-beehive-idf", /^partition.*\.bin$/),
    ...await firmwareFiles("esp32/esptool-test-images", /^partitions.*\.bin$/),
    encodeTable(defaultPartitionTable()),
  ],
  run(input) {
    const t = decodeTable(input, "fuzz.bin");
    renderPartitionTable(t.partitions);
    formatCsv(t.partitions);
    validateTable(t.partitions, { source: "fuzz.bin" });
    return readPartitionTable(input, { source: "fuzz.bin" });
  },
};

/** Partition table CSV: the real tables converted to CSV, plus hand-written ones. */
export const partitionCsvTarget: FuzzTarget = {
  name: "partition-csv",
  description: "partition table CSV: parse, validate, encode (the CSV image format)",
  text: true,
  weight: 8,
  origin: "firmware+generated",
  seeds: async () => {
    const bins = [
      ...await firmwareFiles("esp32/esp32c3-beehive-idf", /^partition.*\.bin$/),
      ...await firmwareFiles("esp32/esptool-test-images", /^partitions.*\.bin$/),
    ];
    return [
      ...textSeeds(...bins.map((b) => formatCsv(decodeTable(b).partitions))),
      ...textSeeds(
        formatCsv(defaultPartitionTable()),
        "# Name, Type, SubType, Offset, Size, Flags\n" +
          "nvs,      data, nvs,     0x9000,  0x6000,\n" +
          "phy_init, data, phy,     0xf000,  0x1000,\n" +
          "factory,  app,  factory, 0x10000, 1M,\n" +
          "ota_0,    app,  ota_0,   ,        1M,\n" +
          "storage,  data, spiffs,  ,        0x40000, encrypted\n",
      ),
    ];
  },
  run(input) {
    parseCsv(new TextDecoder().decode(input), { source: "fuzz.csv", noValidate: true });
    return espPartitionCsv.load(input, { source: "fuzz.csv", options: {} });
  },
};

/** Project configuration (`deltaflash.json` / `deno.json`), read from a file as the CLI does. */
export function configTarget(dir: string): FuzzTarget {
  const file = `${dir}/deltaflash.json`;
  return {
    name: "config",
    description: "config: deltaflash.json read and validated by loadConfig (file on disk)",
    text: true,
    weight: 8,
    origin: "generated",
    seeds: () =>
      Promise.resolve(textSeeds(
        JSON.stringify(
          {
            target: "esp32c3",
            port: "sim:esp32c3",
            baud: 921600,
            images: ["build/app.bin@0x10000", { file: "boot.bin", address: 0 }],
            options: { hashStrategy: "sector", flashSize: "4MB" },
            pipeline: {},
          },
          null,
          2,
        ),
        '{\n  // comments and trailing commas are allowed\n  "target": "microbit-v2",\n' +
          '  "probe": "sim:microbit-v2",\n  "board": "v2",\n  "images": ["app.hex"],\n' +
          '  "plugins": ["./plugins/board.ts", {"specifier": "npm:x@1", "options": {"a": [1, 2]}}],\n}\n',
        JSON.stringify({ target: "esp32", port: "rfc2217://127.0.0.1:4000", images: [] }),
      )),
    async run(input) {
      Deno.writeFileSync(file, input);
      return await loadConfig(dir, file);
    },
  };
}
