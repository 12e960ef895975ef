/**
 * The ESP32-family targets (`esp32`, `esp32s2`, `esp32s3`, `esp32c2`, `esp32c3`, `esp32c6`,
 * `esp32h2`) over the serial ROM loader.
 *
 * Target options (`ConnectOptions.options`):
 * - `hashStrategy`: `auto` (default) | `per-sector` | `bisect` | `whole-then-sector`;
 * - `flashSize`: bytes or e.g. `"4MB"` (skips JEDEC detection);
 * - `before`: `default-reset` (default) | `no-reset` (just sync);
 * - `after`: `hard-reset` (default: run the new app, as esptool and espflash do) | `no-reset`;
 * - `compress`: deflate writes (default true);
 * - `stub`: `auto` (default: when the modelled write time says so) | true | false —
 *   esp-flasher-stub, loaded from the esptool-js npm package at run time;
 * - `latencyMs`: USB-serial bridge latency per direction assumed by the cost model, ms
 *   (default 1; FTDI bridges default to 16).
 *
 * @module
 */
import {
  type ConnectOptions,
  type Plugin,
  type PluginHost,
  type RunContext,
  type TargetDefinition,
  type TargetDetector,
  UsageError,
} from "../../kernel/mod.ts";
import { CHIPS, type EspChip, SECTOR } from "./chips.ts";
import { espCostModel } from "./cost.ts";
import { identifyChip, INITIAL_BAUD, startSession } from "./connect.ts";
import { EspDevice } from "./device.ts";
import { espQueryHashes, type HashStrategy, parseHashStrategy } from "./strategy.ts";
import { espChipCheckStage, espLoadImageStage } from "./image/stages.ts";
import { espPlanStage } from "./plan.ts";

/** Parses `4194304`, `"4MB"`, `"4M"`, `"512KB"`. */
export function parseSize(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "number" && Number.isInteger(v) && v > 0) return v;
  const m = typeof v === "string" ? /^(\d+)\s*([KM]?)B?$/i.exec(v.trim()) : null;
  if (!m) throw new UsageError(`invalid flash size '${String(v)}'`, { hint: "e.g. 4MB" });
  return Number(m[1]) * (m[2].toUpperCase() === "M" ? 1 << 20 : m[2] ? 1 << 10 : 1);
}

function makeTarget(host: PluginHost, chip: EspChip): TargetDefinition {
  return {
    name: chip.target,
    aliases: chip.name.toLowerCase() === chip.target ? [] : [chip.name.toLowerCase()],
    family: "esp",
    description: `${chip.name} over the serial ROM loader (bootloader at 0x${
      chip.bootloaderOffset.toString(16)
    })`,
    link: "serial",
    layout: {
      regions: [{
        name: "flash",
        start: 0,
        size: chip.defaultFlashSize,
        blockSize: SECTOR,
        erasedValue: 0xff,
      }],
    },
    hash: "md5",
    // FLASH_BEGIN erases whole sectors and the ROM has no fast readback.
    partialBlocks: "fill",
    formatOptions: { chip: chip.target, bootloaderOffset: chip.bootloaderOffset },
    cost: espCostModel(chip),
    stages: {
      // ELF → app image, bootloader header patch (hash what is written), image chip check.
      loadImage: espLoadImageStage(chip.target),
      queryHashes: (next) => espChipCheckStage()(espQueryHashes()(next)),
      plan: espPlanStage(),
    },
    async connect(ctx: RunContext, options: ConnectOptions) {
      const o = options.options ?? {};
      const hashStrategy: HashStrategy = parseHashStrategy(o.hashStrategy);
      const flashSize = parseSize(o.flashSize);
      if (!options.port) {
        throw new UsageError(`${chip.target} needs a serial port`, {
          hint: `e.g. --port /dev/ttyUSB0 or --port sim:${chip.target}`,
        });
      }
      const before = o.before === "no-reset" ? "no-reset" : "default-reset";
      const port = await host.openTransport(ctx, "serial", options.port, {
        baudRate: INITIAL_BAUD,
        target: chip.target,
      });
      let session;
      try {
        session = await startSession(ctx, port, { chip, baud: options.baud, flashSize, before });
      } catch (e) {
        await port.close().catch(() => {});
        throw e;
      }
      const device = new EspDevice(session, {
        after: o.after === "no-reset" ? "no-reset" : "hard-reset",
        compress: o.compress !== false,
        stub: o.stub === true || o.stub === false ? o.stub : "auto",
        latencyMs: typeof o.latencyMs === "number" ? o.latencyMs : undefined,
      }, ctx);
      return Object.assign(device, { hashStrategy });
    },
  };
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
