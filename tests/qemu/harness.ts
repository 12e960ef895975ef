/**
 * Test helper: a QEMU `-M microbit` (nRF51822, Cortex-M0) halted at reset with its gdbstub on
 * a free loopback port, flash preloaded from an image.
 *
 * Facts found with QEMU 7.2 (Debian `qemu-system-arm` 1:7.2): flash that no image covers reads
 * 0x00, not 0xFF, so the harness always writes all 256 KiB (0xFF where the image has no
 * bytes); `-device loader,file=…,addr=0` loads a raw binary but restores it at every system
 * reset, wiping what the NVMC programmed since; `monitor system_reset` leaves the core halted
 * at the reset vector. QEMU's NVMC model (hw/nvram/nrf51_nvm.c) does implement CONFIG
 * (WEN/EEN), ERASEPAGE and word programming by CPU stores, and UICR writes with WEN set, but
 * its reset sets the UICR back to 0xFF; gdbstub writes to MMIO are dropped (see
 * probes/gdb/qemu_mmio.ts); an executed `bkpt` escalates to HardFault (no halting debug).
 *
 * @module
 */
import { createContext } from "../../kernel/mod.ts";
import { parseIntelHex } from "../../plugins/formats/ihex.ts";
import { GdbCortexMDebug, openTcpStream } from "../../probes/gdb/mod.ts";

/** Longest a QEMU started here may live, in seconds. */
const LIFETIME_S = 600;

/** nRF51822 QFAA flash size on micro:bit V1. */
export const MICROBIT_V1_FLASH = 256 * 1024;
/** Debian's MicroPython build for micro:bit V1 (package `firmware-microbit-micropython`). */
export const DEBIAN_MICROPYTHON_HEX = "/usr/share/firmware-microbit-micropython/firmware.hex";

/** A running QEMU. */
export interface QemuMicrobit {
  /** gdbstub TCP port on 127.0.0.1. */
  readonly port: number;
  /** Probe address: `gdb://127.0.0.1:PORT`. */
  readonly address: string;
  /** Process id (of the `timeout` wrapper that QEMU runs under). */
  readonly pid: number;
  /** The flash contents QEMU started with (256 KiB). */
  readonly flash: Uint8Array;
  /** QEMU's console output so far. */
  output(): string;
  /** Ends the process (by its pid) and removes temporary files. */
  stop(): Promise<void>;
}

/** Why QEMU tests cannot run here, or undefined when they can. */
export async function qemuMissing(): Promise<string | undefined> {
  try {
    const out = await new Deno.Command("qemu-system-arm", { args: ["-M", "help"], stdout: "piped" })
      .output();
    if (!new TextDecoder().decode(out.stdout).includes("microbit")) {
      return "qemu-system-arm has no microbit machine";
    }
    return undefined;
  } catch {
    return "qemu-system-arm is not installed (apt-get install qemu-system-arm)";
  }
}

/** Flash-range bytes (0–256 KiB) of a plain Intel HEX file, 0xFF where it has none. */
export function flashFromHex(text: string, source: string): Uint8Array {
  const parsed = parseIntelHex(text, source);
  const image = parsed.sections[0].image.slice(0, MICROBIT_V1_FLASH);
  return image.read(0, MICROBIT_V1_FLASH, 0xff);
}

async function freePort(): Promise<number> {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return await Promise.resolve(port);
}

async function waitForPort(port: number, exited: () => boolean): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (exited()) throw new Error("qemu-system-arm exited early");
    try {
      const c = await Deno.connect({ hostname: "127.0.0.1", port });
      c.close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  throw new Error(`qemu gdbstub did not open port ${port}`);
}

/**
 * Writes the flash through the gdbstub (debug writes reach QEMU's flash directly, bypassing
 * the NVMC). Unlike `-device loader`, whose image QEMU copies in again at every system
 * reset, this keeps what the NVMC programs across resets, as on a real chip.
 */
async function writeFlash(address: string, image: Uint8Array): Promise<void> {
  const ctx = createContext();
  const d = await GdbCortexMDebug.connect(ctx, await openTcpStream(address), { onClose: "none" });
  try {
    await d.writeMemory(ctx, 0, image);
    await d.resetAndHalt(ctx); // the core takes SP and PC from the new vector table
  } finally {
    await d.close();
  }
}

/**
 * Starts QEMU halted with `flash` (padded to 256 KiB with 0xFF) in the nRF51 flash. */
export async function startQemuMicrobit(
  flash: Uint8Array = new Uint8Array(0),
  preload: "debug" | "loader" = "debug",
): Promise<QemuMicrobit> {
  const image = new Uint8Array(MICROBIT_V1_FLASH).fill(0xff);
  image.set(flash.subarray(0, MICROBIT_V1_FLASH));
  const dir = await Deno.makeTempDir({ prefix: "deltaflash-qemu-" });
  const file = `${dir}/flash.bin`;
  await Deno.writeFile(file, image);
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    // Under coreutils `timeout`, a QEMU left behind by a killed test run still ends.
    const child = new Deno.Command("timeout", {
      args: [
        ...["--kill-after=5", String(LIFETIME_S), "qemu-system-arm"],
        ...["-M", "microbit", "-nographic", "-S", "-monitor", "none", "-serial", "stdio"],
        ...["-gdb", `tcp:127.0.0.1:${port}`],
        ...(preload === "loader" ? ["-device", `loader,file=${file},addr=0`] : []),
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let out = "";
    let exited = false;
    const status = child.status.then((s) => (exited = true, s));
    const decoder = new TextDecoder();
    const drain = async (s: ReadableStream<Uint8Array>) => {
      for await (const chunk of s) out += decoder.decode(chunk);
    };
    const drains = Promise.all([drain(child.stdout), drain(child.stderr)]);
    const stop = async () => {
      if (!exited) {
        try {
          Deno.kill(child.pid, "SIGTERM"); // timeout passes it on to QEMU
        } catch { /* already gone */ }
        const t = setTimeout(() => {
          try {
            Deno.kill(child.pid, "SIGKILL");
          } catch { /* gone */ }
        }, 3000);
        await status;
        clearTimeout(t);
      }
      await status;
      await drains.catch(() => {});
    };
    try {
      await waitForPort(port, () => exited);
      if (preload === "debug") await writeFlash(`gdb://127.0.0.1:${port}`, image);
    } catch (e) {
      lastError = new Error(`${(e as Error).message}: ${out.trim()}`);
      await stop();
      continue;
    }
    return {
      port,
      address: `gdb://127.0.0.1:${port}`,
      pid: child.pid,
      flash: image,
      output: () => out,
      async stop() {
        await stop();
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      },
    };
  }
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  throw lastError;
}
