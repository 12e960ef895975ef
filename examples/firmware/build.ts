/**
 * Builds the example firmware from source into `examples/firmware/dist/` (or the directory
 * given as the first argument): `deno run -A examples/firmware/build.ts [outDir]`.
 *
 * Reproducible: fixed flags, relative source names, no build ids, no timestamps, and the
 * toolchain versions recorded in `toolchain.txt` (a different compiler may emit other bytes).
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { elfToImage } from "../../targets/esp/image/elf2image.ts";
import { universalHexFromHex } from "./universal_hex.ts";

/** The directory of this file. */
export const FIRMWARE_ROOT: string = fileURLToPath(new URL(".", import.meta.url));
/** Where the committed artifacts live. */
export const DIST_DIR: string = join(FIRMWARE_ROOT, "dist");

/** Both variants of every program. */
export const VERSIONS = ["v1", "v2"] as const;

/** Compilers and binutils the build runs. */
export const TOOLS = {
  arm: ["arm-none-eabi-gcc", "arm-none-eabi-objcopy"],
  riscv: ["riscv64-unknown-elf-gcc"],
} as const;

/** The Debian packages that provide {@link TOOLS}. */
export const APT_PACKAGES = { arm: "gcc-arm-none-eabi", riscv: "gcc-riscv64-unknown-elf" } as const;

const ARM_FLAGS = [
  "-mcpu=cortex-m0",
  "-mthumb",
  "-masm-syntax-unified",
];
const RISCV_FLAGS = ["-march=rv32imc_zicsr", "-mabi=ilp32"];
const COMMON_FLAGS = [
  "-Os",
  "-nostdlib",
  "-ffreestanding",
  "-fno-ident",
  "-Wall",
  "-Wextra",
  "-Werror",
  "-Wl,--build-id=none",
];

/** Runs a tool in `cwd` with a fixed locale; throws with its stderr when it fails. */
async function run(cmd: string, args: string[], cwd: string): Promise<Uint8Array> {
  const out = await new Deno.Command(cmd, {
    args,
    cwd,
    env: { LC_ALL: "C", SOURCE_DATE_EPOCH: "0" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
  return out.stdout;
}

/** The first line of `tool --version`, or undefined when the tool is not installed. */
export async function toolVersion(tool: string): Promise<string | undefined> {
  try {
    const out = await new Deno.Command(tool, { args: ["--version"], stdout: "piped" }).output();
    return out.success ? new TextDecoder().decode(out.stdout).split("\n")[0].trim() : undefined;
  } catch {
    return undefined;
  }
}

/** Compiles one program variant into an ELF at `elf`; sources are named relative to `dir`. */
async function compile(
  gcc: string,
  dir: string,
  flags: string[],
  sources: string[],
  elf: string,
): Promise<void> {
  await run(gcc, [
    ...flags,
    ...COMMON_FLAGS,
    `-ffile-prefix-map=${dir}=.`,
    ...sources.toSorted(),
    "-o",
    elf,
  ], dir);
}

/** micro:bit: per-chip Intel HEX files and the Universal Hex combining them. */
async function buildMicrobit(version: string, tmp: string): Promise<Record<string, string>> {
  const dir = join(FIRMWARE_ROOT, "microbit-blink");
  const hex: Record<string, string> = {};
  for (const chip of ["nrf51", "nrf52"]) {
    const elf = join(tmp, `microbit-${version}-${chip}.elf`);
    const flags = [...ARM_FLAGS, `-I${version}`, "-I../common", `-D${chip.toUpperCase()}`];
    await compile("arm-none-eabi-gcc", dir, [...flags, "-T", `${chip}.ld`], ["main.c"], elf);
    const out = join(tmp, `microbit-${version}-${chip}.hex`);
    await run("arm-none-eabi-objcopy", ["-O", "ihex", elf, out], dir);
    hex[chip] = await Deno.readTextFile(out);
  }
  return {
    [`microbit-blink-${version}-nrf51.hex`]: hex.nrf51,
    [`microbit-blink-${version}-nrf52.hex`]: hex.nrf52,
    [`microbit-blink-${version}.hex`]: universalHexFromHex(hex.nrf51, hex.nrf52),
  };
}

/** ESP32-C3: an ESP-IDF app image (load it at the app partition, 0x10000). */
async function buildEsp32c3(version: string, tmp: string): Promise<Record<string, Uint8Array>> {
  const dir = join(FIRMWARE_ROOT, "esp32c3-blink");
  const elf = join(tmp, `esp32c3-${version}.elf`);
  const flags = [...RISCV_FLAGS, `-I${version}`, "-I../common", "-T", "esp32c3.ld"];
  await compile("riscv64-unknown-elf-gcc", dir, flags, ["start.S", "app_desc.c", "main.c"], elf);
  const image = elfToImage(await Deno.readFile(elf), {
    chip: "esp32c3",
    source: `esp32c3-blink-${version}.elf`,
  });
  return { [`esp32c3-blink-${version}.bin`]: image };
}

/** Which program families to build. */
export type Family = keyof typeof TOOLS;

/** Builds the chosen families into `outDir`; returns the written file names, sorted. */
export async function buildAll(
  outDir: string,
  families: readonly Family[] = ["arm", "riscv"],
): Promise<string[]> {
  const tmp = await Deno.makeTempDir({ prefix: "firmware-build-" });
  try {
    await Deno.mkdir(outDir, { recursive: true });
    const files: Record<string, string | Uint8Array> = {};
    for (const version of VERSIONS) {
      if (families.includes("arm")) Object.assign(files, await buildMicrobit(version, tmp));
      if (families.includes("riscv")) Object.assign(files, await buildEsp32c3(version, tmp));
    }
    const versions = [];
    for (const f of families) versions.push(`${TOOLS[f][0]}: ${await toolVersion(TOOLS[f][0])}`);
    files["toolchain.txt"] = versions.join("\n") + "\n";
    for (const [name, data] of Object.entries(files)) {
      const path = join(outDir, name);
      if (typeof data === "string") await Deno.writeTextFile(path, data);
      else await Deno.writeFile(path, data);
    }
    return Object.keys(files).sort();
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

if (import.meta.main) {
  const outDir = Deno.args[0] ?? DIST_DIR;
  for (const family of Object.keys(TOOLS) as Family[]) {
    for (const tool of TOOLS[family]) {
      if (await toolVersion(tool)) continue;
      console.error(`${tool} not found: install it with apt-get install ${APT_PACKAGES[family]}`);
      Deno.exit(1);
    }
  }
  for (const name of await buildAll(outDir)) console.log(join(outDir, name));
}
