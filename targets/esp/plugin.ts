/**
 * The ESP32-family targets (`esp32`, `esp32s2`, `esp32s3`, `esp32c2`, `esp32c3`, `esp32c6`,
 * `esp32h2`) over the serial ROM loader. Their options are {@link espOptions}.
 *
 * @module
 */
import {
  defineTarget,
  type FlashLayout,
  type Plugin,
  type PluginHost,
  type SerialPortLike,
  type TargetDefinition,
  type TargetDetector,
  UsageError,
} from "../../kernel/mod.ts";
import { CHIPS, type EspChip, SECTOR } from "./chips.ts";
import { espCostModel } from "./cost.ts";
import { identifyChip, INITIAL_BAUD, startSession } from "./connect.ts";
import { isUsbJtagSerial } from "./reset.ts";
import { EspDevice } from "./device.ts";
import { type EspOptions, espOptions } from "./options.ts";
import { espQueryHashes } from "./strategy.ts";
import { espChipCheckStage, espLoadImageStage } from "./image/stages.ts";
import { espPlanStage } from "./plan.ts";

export { type EspOptions, espOptions } from "./options.ts";

/** One flash region of `size` bytes in 4 KiB sectors. */
function flashLayout(size: number): FlashLayout {
  return { regions: [{ name: "flash", start: 0, size, blockSize: SECTOR, erasedValue: 0xff }] };
}

/** The smallest flash size (a power of two, as ESP flash chips come) that holds `end` bytes. */
function sizeHolding(end: number, atLeast: number): number {
  let size = atLeast;
  while (size < end) size *= 2;
  return size;
}

function makeTarget(host: PluginHost, chip: EspChip): TargetDefinition<EspDevice, EspOptions> {
  return defineTarget<EspDevice, EspOptions>({
    name: chip.target,
    aliases: chip.name.toLowerCase() === chip.target ? [] : [chip.name.toLowerCase()],
    family: "esp",
    description: `${chip.name} over the serial ROM loader (bootloader at 0x${
      chip.bootloaderOffset.toString(16)
    })`,
    link: "serial",
    layout: flashLayout(chip.defaultFlashSize),
    // Without a device the flash size is `flashSize`, else what the image needs: never less.
    layoutFor: (o, image) =>
      flashLayout(o.flashSize ?? sizeHolding(image.end, chip.defaultFlashSize)),
    hash: "md5",
    // FLASH_BEGIN erases whole sectors and the ROM has no fast readback.
    partialBlocks: "fill",
    formatOptions: { chip: chip.target, bootloaderOffset: chip.bootloaderOffset },
    cost: espCostModel(chip),
    options: espOptions,
    stages: {
      // ELF → app image, bootloader header patch (hash what is written), image chip check.
      loadImage: espLoadImageStage(chip.target),
      queryHashes: (next) => espChipCheckStage()(espQueryHashes()(next)),
      plan: espPlanStage(),
    },
    async connect(ctx, { port: address, baud, options: o }) {
      if (!address) {
        throw new UsageError(`${chip.target} needs a serial port`, {
          hint: `e.g. --port /dev/ttyUSB0 or --port sim:${chip.target}`,
        });
      }
      const port = await host.openTransport(ctx, "serial", address, {
        baudRate: INITIAL_BAUD,
        target: chip.target,
      });
      let session;
      try {
        session = await startSession(ctx, port, {
          chip,
          baud: baud ?? defaultBaud(port),
          flashSize: o.flashSize,
          before: o.before,
        });
      } catch (e) {
        await port.close().catch(() => {});
        throw e;
      }
      return new EspDevice(session, {
        after: o.after === "no-reset-stub" ? "no-reset-no-stub" : o.after,
        compress: o.compress,
        stub: o.stub,
        latencyMs: o.latencyMs,
        hashStrategy: o.hashStrategy,
      }, ctx);
    },
  });
}

/** esptool's default rate for writing, used when the user gave none. */
export const DEFAULT_WRITE_BAUD = 460800;

/**
 * The rate to switch to when none is given: esptool's 460800 on a USB-UART bridge (every
 * bridge in the table runs it); none on Espressif's USB-Serial-JTAG (the rate means nothing
 * there) or on a link whose bridge is unknown (a TCP bridge, a pty), which stay at 115200.
 */
export function defaultBaud(port: SerialPortLike): number | undefined {
  const info = port.getInfo();
  if (info.usbVendorId === undefined || isUsbJtagSerial(port)) return undefined;
  return DEFAULT_WRITE_BAUD;
}

/** Names the ESP chip on a serial port (reset into the loader, sync, chip id). */
function espDetector(host: PluginHost): TargetDetector {
  return {
    name: "esp-serial",
    link: "serial",
    async detect(ctx, address, options) {
      const port = await host.openTransport(ctx, "serial", address, {
        baudRate: INITIAL_BAUD,
        target: "esp",
      });
      try {
        const before = options.options?.before === "no-reset" ? "no-reset" : "default-reset";
        return (await identifyChip(ctx, port, before)).target;
      } finally {
        await port.close().catch(() => {});
      }
    },
  };
}

/** Registers every ESP32-family target, and the detector that picks one. */
export function espTargets(): Plugin {
  return (host) => {
    for (const chip of Object.values(CHIPS)) host.registerTarget(makeTarget(host, chip));
    host.registerDetector(espDetector(host));
  };
}
