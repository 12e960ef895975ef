/**
 * A board plugin: the (fictional) Acme Weather Node, an ESP32-C3-MINI-1 module with 4 MB of
 * flash behind a CP2102N USB-UART bridge. It reuses the built-in `esp32c3` target and adds
 * only what the board changes:
 *
 * - its own name and description;
 * - its partition layout, so raw images without an address land in the right partition
 *   (`bootloader.bin` at 0x0, `partition-table.bin` at 0x8000, `storage.bin` at 0x3f0000,
 *   any other `.bin` in the app partition at 0x20000);
 * - its reset sequence: the board's EN line has a 10 µF capacitor, so EN is held low for
 *   250 ms instead of the usual 100 ms before the chip is released into download mode;
 * - default target options (flash size known, so no detection round trip).
 *
 * @module
 */
import {
  type ConnectOptions,
  type FlashDevice,
  type ImageInput,
  ImageRangeError,
  type Plugin,
  type PluginHost,
  type RunContext,
  type SerialSignals,
  type TargetDefinition,
  UsageError,
} from "../../mod.ts";

/** One partition of the board's flash. */
export interface Partition {
  /** Partition name; a raw image named `<name>.bin` goes here. */
  readonly name: string;
  /** Offset in flash (sector-aligned). */
  readonly offset: number;
  /** Size in bytes. */
  readonly size: number;
}

/** The board's partition table (the first three are fixed by the ESP-IDF boot flow). */
export const PARTITIONS: readonly Partition[] = [
  { name: "bootloader", offset: 0x0, size: 0x8000 },
  { name: "partition-table", offset: 0x8000, size: 0x1000 },
  { name: "otadata", offset: 0xd000, size: 0x2000 },
  { name: "app", offset: 0x20000, size: 0x1d0000 },
  { name: "storage", offset: 0x3f0000, size: 0x10000 },
];

/** A step of a reset sequence: set modem lines (asserted = true) or wait. */
export type ResetStep = SerialSignals | { readonly waitMs: number };

/** DTR drives IO0 and RTS drives EN through the usual two-transistor circuit. */
export const RESET_SEQUENCE: readonly ResetStep[] = [
  { dataTerminalReady: false, requestToSend: true }, // EN low: chip in reset
  { waitMs: 250 }, // the 10 µF EN capacitor needs longer than the usual 100 ms
  { dataTerminalReady: true, requestToSend: false }, // EN released with IO0 low
  { waitMs: 100 },
  { dataTerminalReady: false }, // IO0 released; the ROM is in download mode
];

/** Options of the plugin factory. */
export interface AcmeOptions {
  /** Target name (default `acme-weather-node`). */
  readonly name?: string;
}

/** The partition a raw image file goes to when it has no address. */
export function partitionFor(file: string): Partition {
  const base = file.split(/[\\/]/).pop()!.replace(/\.bin$/i, "");
  return PARTITIONS.find((p) => p.name === base) ?? PARTITIONS.find((p) => p.name === "app")!;
}

// The port is closed and opened again by the chip's own connect. That is harmless here: the
// OS asserts DTR and RTS together when a port opens, and the two-transistor circuit only
// moves EN or IO0 when exactly one of them is asserted.
async function playReset(ctx: RunContext, host: PluginHost, port: string): Promise<void> {
  const link = await host.openTransport(ctx, "serial", port, {
    baudRate: 115200,
    target: "esp32c3",
  });
  try {
    for (const step of RESET_SEQUENCE) {
      if ("waitMs" in step) await ctx.clock.sleep(step.waitMs, ctx.signal);
      else await link.setSignals(step);
    }
  } finally {
    await link.close();
  }
}

/** Places raw images by partition and checks they fit. */
function placeInputs(inputs: readonly ImageInput[]): ImageInput[] {
  return inputs.map((input) => {
    const raw = input.format === "bin" || /\.bin$/i.test(input.file);
    if (!raw) return input;
    const p = input.address === undefined
      ? partitionFor(input.file)
      : PARTITIONS.find((x) => input.address! >= x.offset && input.address! < x.offset + x.size);
    if (!p) return input;
    const address = input.address ?? p.offset;
    return { ...input, address, format: "bin" };
  });
}

/** Derives the board target from the registered `esp32c3`. */
export function acmeTarget(host: PluginHost, options: AcmeOptions = {}): TargetDefinition {
  const chip = host.target("esp32c3");
  return {
    ...chip,
    name: options.name ?? "acme-weather-node",
    aliases: [],
    description: "Acme Weather Node (ESP32-C3-MINI-1, 4 MB) over its CP2102N UART bridge",
    layout: { regions: [{ ...chip.layout.regions[0], size: 4 << 20 }] },
    stages: {
      ...chip.stages,
      loadImage: (next) => async (ctx, args) => {
        const image = await next(ctx, { ...args, inputs: placeInputs(args.inputs) });
        for (const seg of image.segments) {
          const p = PARTITIONS.find((x) =>
            seg.address >= x.offset && seg.address < x.offset + x.size
          );
          if (p && seg.address + seg.data.length > p.offset + p.size) {
            throw new ImageRangeError(
              `${seg.source} (${seg.data.length} bytes) overflows the ${p.name} partition`,
              {
                hint: `${p.name} holds 0x${p.size.toString(16)} bytes from 0x${
                  p.offset.toString(16)
                }`,
              },
            );
          }
        }
        return image;
      },
    },
    async connect(ctx: RunContext, o: ConnectOptions): Promise<FlashDevice> {
      if (!o.port) {
        throw new UsageError("the Acme Weather Node needs its serial port", {
          hint: "e.g. --port /dev/ttyUSB0 (or sim:esp32c3?usb=uart for the simulator)",
        });
      }
      await playReset(ctx, host, o.port);
      return chip.connect(ctx, {
        ...o,
        options: { flashSize: "4MB", ...o.options, before: "no-reset" },
      });
    },
  };
}

/** The plugin: `(options) => (host) => void`. */
export default function acmeWeatherNode(options: AcmeOptions = {}): Plugin {
  return (host) => host.registerTarget(acmeTarget(host, options));
}
