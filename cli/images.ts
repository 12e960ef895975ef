/**
 * What `flash` and `plan` write: image arguments (files, or build folders read as their
 * toolchain's upload step does), else the config's images, else the project's own build
 * (ESP-IDF `build/flasher_args.json`, PlatformIO `.pio/build/<env>/`); plus an ESP
 * bootloader and partition table beside an ELF (`--bootloader`, `--partition-table`).
 *
 * @module
 */
import { type ImageInput, parseImageSpec, type Registry, UsageError } from "../kernel/mod.ts";
import {
  type BuildFolder,
  findProjectBuild,
  readBuildFolder,
} from "../targets/esp/build_folders.ts";
import { DEFAULT_TABLE_OFFSET } from "../targets/esp/partition/table.ts";
import type { Config } from "./config.ts";

/** Images and what they imply about the run. */
export interface ResolvedImages {
  /** Inputs in order. */
  readonly inputs: ImageInput[];
  /** Chip the build folder was made for. */
  readonly chip?: string;
  /** Format options from the build (flash settings). */
  readonly formatOptions: Record<string, unknown>;
  /** Target options from the build (esptool's before/after/stub). */
  readonly options: Record<string, unknown>;
  /** Build folders read, for the log. */
  readonly builds: BuildFolder[];
}

const KIND_NAMES = { "esp-idf": "ESP-IDF", arduino: "Arduino", platformio: "PlatformIO" };

/** One line naming a build folder and what it holds. */
export function describeBuild(b: BuildFolder): string {
  const files = b.inputs.map((i) => `${i.file.split("/").pop()}@0x${i.address?.toString(16)}`);
  return `${KIND_NAMES[b.kind]} build ${b.path}${b.chip ? ` (${b.chip})` : ""}: ${files.join(" ")}`;
}

/** Resolves image arguments against config and the project in `cwd`. */
export async function resolveImages(
  config: Config,
  args: readonly string[],
  chip: string | undefined,
  cwd: string,
): Promise<ResolvedImages> {
  const builds: BuildFolder[] = [];
  const inputs: ImageInput[] = [];
  for (const arg of args) {
    const spec = parseImageSpec(arg);
    const build = spec.address === undefined ? await readBuildFolder(spec.file, chip) : undefined;
    if (build) builds.push(build), inputs.push(...build.inputs);
    else inputs.push(spec);
  }
  if (!args.length) {
    if (config.images.length) inputs.push(...config.images);
    else {
      const build = await findProjectBuild(cwd, chip);
      if (build) builds.push(build), inputs.push(...build.inputs);
    }
  }
  if (!inputs.length) {
    throw new UsageError("no image given", {
      hint: "pass files (app.bin@0x10000, program.hex), a build folder, " +
        "or set deltaflash.images in deno.json",
    });
  }
  const chips = [...new Set(builds.map((b) => b.chip).filter((c): c is string => !!c))];
  if (chips.length > 1) {
    throw new UsageError(`the build folders are for different chips: ${chips.join(", ")}`);
  }
  return {
    inputs,
    chip: chips[0],
    formatOptions: Object.assign({}, ...builds.map((b) => b.formatOptions)),
    options: Object.assign({}, ...builds.map((b) => b.options)),
    builds,
  };
}

/**
 * ESP bootloader and partition table from flags or config, placed where the chip wants them
 * (an ELF from a Cargo runner becomes the app; these complete the flash).
 */
export function supportImages(
  registry: Registry,
  target: string,
  bootloader: string | undefined,
  partitionTable: string | undefined,
): ImageInput[] {
  if (!bootloader && !partitionTable) return [];
  const offset = registry.target(target).formatOptions?.bootloaderOffset;
  if (typeof offset !== "number") {
    throw new UsageError(`${target} has no bootloader or partition table to flash`, {
      hint: "--bootloader and --partition-table are for ESP targets",
    });
  }
  const out: ImageInput[] = [];
  if (bootloader) out.push({ file: bootloader, address: offset });
  if (partitionTable) {
    out.push(
      /\.csv$/i.test(partitionTable)
        ? { file: partitionTable }
        : { file: partitionTable, address: DEFAULT_TABLE_OFFSET },
    );
  }
  return out;
}
