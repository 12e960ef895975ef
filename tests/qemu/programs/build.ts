/**
 * Assembles the test programs in this folder (`*.S`, ARMv6-M Thumb, position-independent,
 * entry at offset 0) with Debian's gcc-arm-none-eabi binutils and writes the committed
 * `*.bin` next to each source. Run: `deno run -A tests/qemu/programs/build.ts`.
 *
 * @module
 */

const here = new URL(".", import.meta.url);

/** The programs: name = source file without `.S`. */
export const PROGRAMS = ["nvmc_page", "alu", "memory", "branches"] as const;

/** One program's name. */
export type ProgramName = typeof PROGRAMS[number];

async function run(cmd: string, args: string[]): Promise<void> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
}

/** Assembles and links every program in a temporary directory; returns name → bytes. */
export async function buildPrograms(): Promise<Map<ProgramName, Uint8Array>> {
  const dir = await Deno.makeTempDir({ prefix: "deltaflash-programs-" });
  const out = new Map<ProgramName, Uint8Array>();
  try {
    for (const name of PROGRAMS) {
      const src = new URL(`${name}.S`, here).pathname;
      const obj = `${dir}/${name}.o`, elf = `${dir}/${name}.elf`, bin = `${dir}/${name}.bin`;
      await run("arm-none-eabi-as", ["-mcpu=cortex-m0", "-mthumb", "-o", obj, src]);
      await run("arm-none-eabi-ld", ["-Ttext=0", "-e", name, "--build-id=none", "-o", elf, obj]);
      await run("arm-none-eabi-objcopy", ["-O", "binary", "-j", ".text", elf, bin]);
      out.set(name, await Deno.readFile(bin));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return out;
}

/** The committed binary of a program. */
export function loadProgram(name: ProgramName): Promise<Uint8Array> {
  return Deno.readFile(new URL(`${name}.bin`, here));
}

if (import.meta.main) {
  for (const [name, bytes] of await buildPrograms()) {
    await Deno.writeFile(new URL(`${name}.bin`, here), bytes);
    console.log(`tests/qemu/programs/${name}.bin: ${bytes.length} bytes`);
  }
}
