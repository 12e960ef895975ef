/**
 * Build folders of the ESP toolchains, read as their own upload steps read them:
 * - ESP-IDF: `build/flasher_args.json` — `flash_files` at their offsets, the chip from
 *   `extra_esptool_args.chip`, the flash settings from `flash_settings`;
 * - Arduino CLI (`--output-dir` / `--export-binaries`): `<sketch>.ino.bootloader.bin` at the
 *   chip's bootloader offset, `<sketch>.ino.partitions.bin` at 0x8000 and `<sketch>.ino.bin` at
 *   0x10000, as arduino-esp32's platform.txt upload pattern;
 * - PlatformIO (`.pio/build/<env>/`): `bootloader.bin` at the chip's bootloader offset,
 *   `partitions.bin` at 0x8000 and `firmware.bin` at the table's app partition (0x10000 by
 *   default), as the espressif32 platform's builder.
 * Both put `boot_app0.bin` at 0xe000 from their core package; it is flashed when a copy sits in
 * the folder. Without a chip name the chip is read from the bootloader's (or app's) header.
 *
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import { ImageFormatError, type ImageInput, UsageError } from "../../kernel/mod.ts";
import { imageChipOf } from "./image/chip_check.ts";
import { espImageChip } from "./image/chips.ts";
import {
  appPartition,
  decodeTable,
  DEFAULT_APP_OFFSET,
  DEFAULT_TABLE_OFFSET,
} from "./partition/mod.ts";

/** Where `boot_app0.bin` (the initial OTA data) goes in Arduino and PlatformIO layouts. */
const OTADATA_OFFSET = 0xe000;

/** A build folder turned into flash inputs and settings. */
export interface BuildFolder {
  /** Which toolchain wrote it. */
  readonly kind: "esp-idf" | "arduino" | "platformio";
  /** The folder (or flasher_args.json) read. */
  readonly path: string;
  /** Target name (`esp32c3`), when the folder says. */
  readonly chip?: string;
  /** Files at their offsets. */
  readonly inputs: ImageInput[];
  /** Flash settings for the bootloader header (`flashMode`, `flashSize`, `flashFreq`). */
  readonly formatOptions: Record<string, unknown>;
  /** Target options the folder asks for (`before`, `after`, `stub`). */
  readonly options: Record<string, unknown>;
}

async function stat(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.stat(path);
  } catch {
    return undefined;
  }
}

async function readBytes(path: string): Promise<Uint8Array | undefined> {
  return (await stat(path))?.isFile ? await Deno.readFile(path) : undefined;
}

const hexOffset = (text: string, file: string): number => {
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(text)) {
    throw new ImageFormatError(file, `flash_files offset '${text}' is not a number`);
  }
  return Number(text);
};

/** esptool's `default_reset` → the target option's `default-reset`. */
const resetValue = (v: unknown) => typeof v === "string" ? v.replaceAll("_", "-") : undefined;

/** Reads an ESP-IDF `flasher_args.json`. */
export async function readFlasherArgs(file: string): Promise<BuildFolder> {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(await Deno.readTextFile(file));
  } catch (e) {
    throw new ImageFormatError(file, (e as Error).message, {
      hint: "rebuild the project (idf.py build) to regenerate it",
    });
  }
  const files = json.flash_files;
  if (!files || typeof files !== "object") {
    throw new ImageFormatError(file, "no flash_files", {
      hint: "rebuild the project (idf.py build) to regenerate it",
    });
  }
  const dir = dirname(file);
  const inputs = Object.entries(files as Record<string, string>)
    .map(([offset, path]) => ({ file: resolve(dir, path), address: hexOffset(offset, file) }))
    .sort((a, b) => a.address - b.address);
  const settings = (json.flash_settings ?? {}) as Record<string, unknown>;
  const extra = (json.extra_esptool_args ?? {}) as Record<string, unknown>;
  const formatOptions: Record<string, unknown> = {};
  if (typeof settings.flash_mode === "string") formatOptions.flashMode = settings.flash_mode;
  if (typeof settings.flash_size === "string") formatOptions.flashSize = settings.flash_size;
  if (typeof settings.flash_freq === "string") formatOptions.flashFreq = settings.flash_freq;
  const options: Record<string, unknown> = {};
  const before = resetValue(extra.before), after = resetValue(extra.after);
  if (before === "default-reset" || before === "no-reset") options.before = before;
  if (after === "hard-reset" || after === "no-reset") options.after = after;
  if (extra.stub === false) options.stub = false;
  return {
    kind: "esp-idf",
    path: file,
    chip: typeof extra.chip === "string" ? extra.chip : undefined,
    inputs,
    formatOptions,
    options,
  };
}

/** The chip named by the first valid ESP image header among `files`. */
async function chipFromImages(files: (string | undefined)[]): Promise<string | undefined> {
  for (const f of files) {
    const bytes = f ? await readBytes(f) : undefined;
    const chip = bytes ? imageChipOf(bytes)?.chip : undefined;
    if (chip) return chip.name;
  }
  return undefined;
}

function bootloaderOffset(chip: string | undefined, folder: string): number {
  if (!chip) {
    throw new UsageError(`cannot tell which chip ${folder} was built for`, {
      hint: "pass --chip (e.g. --chip esp32c3)",
    });
  }
  return espImageChip(chip).bootloaderOffset;
}

async function splitBuild(
  kind: "arduino" | "platformio",
  folder: string,
  files: { bootloader?: string; partitions?: string; app: string },
  chip: string | undefined,
): Promise<BuildFolder> {
  const found = chip ?? await chipFromImages([files.bootloader, files.app]);
  const inputs: ImageInput[] = [];
  let appOffset = DEFAULT_APP_OFFSET;
  if (files.bootloader) {
    inputs.push({ file: files.bootloader, address: bootloaderOffset(found, folder) });
  }
  if (files.partitions) {
    inputs.push({ file: files.partitions, address: DEFAULT_TABLE_OFFSET });
    if (kind === "platformio") {
      const table = decodeTable(await Deno.readFile(files.partitions), files.partitions);
      appOffset = appPartition(table.partitions)?.offset ?? DEFAULT_APP_OFFSET;
    }
  }
  const otadata = join(folder, "boot_app0.bin");
  if ((await stat(otadata))?.isFile) inputs.push({ file: otadata, address: OTADATA_OFFSET });
  inputs.push({ file: files.app, address: appOffset });
  return { kind, path: folder, chip: found, inputs, formatOptions: {}, options: {} };
}

/**
 * Reads `path` as a build folder (or ESP-IDF's flasher_args.json); undefined when it is not
 * one. `chip` (from --chip or config) overrides what the folder implies.
 */
export async function readBuildFolder(
  path: string,
  chip?: string,
): Promise<BuildFolder | undefined> {
  const info = await stat(path);
  if (!info) return undefined;
  if (info.isFile) {
    return basename(path) === "flasher_args.json" ? await readFlasherArgs(path) : undefined;
  }
  if (!info.isDirectory) return undefined;
  for (const idf of [join(path, "flasher_args.json"), join(path, "build", "flasher_args.json")]) {
    if ((await stat(idf))?.isFile) return await readFlasherArgs(idf);
  }
  const names = [...Deno.readDirSync(path)].filter((e) => e.isFile).map((e) => e.name);
  const sketch = names.find((n) => /\.ino\.bin$/.test(n) && !/\.(merged|bootloader)\./.test(n));
  if (sketch) {
    const stem = sketch.slice(0, -".bin".length);
    const has = (n: string) => names.includes(n) ? join(path, n) : undefined;
    return await splitBuild("arduino", path, {
      bootloader: has(`${stem}.bootloader.bin`),
      partitions: has(`${stem}.partitions.bin`),
      app: join(path, sketch),
    }, chip);
  }
  if (names.includes("firmware.bin")) {
    const has = (n: string) => names.includes(n) ? join(path, n) : undefined;
    return await splitBuild("platformio", path, {
      bootloader: has("bootloader.bin"),
      partitions: has("partitions.bin"),
      app: join(path, "firmware.bin"),
    }, chip);
  }
  const pio = join(path, ".pio", "build");
  if ((await stat(pio))?.isDirectory) {
    const envs: string[] = [];
    for (const e of Deno.readDirSync(pio)) {
      if (e.isDirectory && (await stat(join(pio, e.name, "firmware.bin")))?.isFile) {
        envs.push(e.name);
      }
    }
    envs.sort();
    if (envs.length === 1) return await readBuildFolder(join(pio, envs[0]), chip);
    if (envs.length > 1) {
      throw new UsageError(`${pio} holds several builds: ${envs.join(", ")}`, {
        hint: `name one, e.g. deltaflash flash .pio/build/${envs[0]}`,
      });
    }
  }
  return undefined;
}

/**
 * The build of the project in `dir` when no image is named: ESP-IDF's build/flasher_args.json
 * or PlatformIO's single `.pio/build/<env>/`.
 */
export async function findProjectBuild(
  dir: string,
  chip?: string,
): Promise<BuildFolder | undefined> {
  const idf = join(dir, "build", "flasher_args.json");
  if ((await stat(idf))?.isFile) return await readFlasherArgs(idf);
  if ((await stat(join(dir, ".pio", "build")))?.isDirectory) {
    return await readBuildFolder(dir, chip);
  }
  return undefined;
}
