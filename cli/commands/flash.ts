/**
 * `flash` and `plan`: the lifecycle against a device (plan stops before writing), or
 * `plan --against OLD` offline.
 *
 * @module
 */
import {
  checkRange,
  compareImages,
  composeStages,
  flash,
  type FlashRecordStore,
  type FlashRequest,
  fullReport,
  type ImageInput,
  isFlashMode,
  parseImageSpec,
  type Target,
  UsageError,
} from "../../kernel/mod.ts";
import type { CommandSpec, OptionSpec } from "../commander.ts";
import { deviceLine, resolveTarget } from "../detect.ts";
import { describeBuild, resolveImages, supportImages } from "../images.ts";
import { ProgressView } from "../progress.ts";
import { defaultRecordDir, FileRecordStore } from "../record_store.ts";
import { monitorDevice, parseTimeout } from "./monitor.ts";
import { flashMany } from "./multi.ts";
import { formatBytes, formatMs, hex32, resultJson, summaryLine, writtenFor } from "../render.ts";
import {
  connection,
  connectOptions,
  type GlobalOptions,
  openSession,
  requireTarget,
  runContext,
} from "../session.ts";
import type { CliIO, Session } from "../session.ts";

const common: OptionSpec[] = [
  {
    flags: "--mode <mode>",
    description: "diff: only changed blocks; full: every block",
    choices: ["diff", "full"],
  },
  {
    flags: "--partial <policy>",
    description: "bytes of a partly covered block: keep or fill",
    choices: ["keep", "fill"],
  },
  { flags: "--hash <algorithm>", description: "hash algorithm (default: the target's)" },
  { flags: "--board <board>", description: "Universal Hex section: v1, v2 or a board id" },
  {
    flags: "--bootloader <file>",
    description: "ESP: bootloader to flash with an ELF or app (at the chip's offset)",
  },
  {
    flags: "--partition-table <file>",
    description: "ESP: partition table (CSV or binary) to flash with an ELF or app",
  },
  {
    flags: "--force",
    description: "flash an image the target refuses (other chip, overlapping regions, bad address)",
  },
];

/** A progress view on the CLI's error stream: live on a terminal, plain lines otherwise. */
export function progressView(io: CliIO): ProgressView {
  const live = io.isTerminal && !!io.raw;
  return new ProgressView({
    live,
    color: live && !Deno.env.get("NO_COLOR"),
    columns: () => io.columns?.(),
    write: (text) => {
      if (live) io.raw!(text);
      else for (const line of text.split("\n")) if (line) io.err(line);
    },
  });
}

/** Image inputs from arguments, else from config. */
export function imageInputs(s: Session, args: string[]): ImageInput[] {
  const inputs = args.length ? args.map(parseImageSpec) : s.config.images;
  if (!inputs.length) {
    throw new UsageError("no image given", {
      hint: "pass files (app.bin@0x10000, program.hex) or set deltaflash.images in deno.json",
    });
  }
  return inputs;
}

async function request(
  s: Session,
  args: string[],
  o: Record<string, unknown>,
  dryRun: boolean,
): Promise<FlashRequest> {
  const mode = (o.mode as string | undefined) ?? s.config.pipeline.mode ?? "diff";
  if (!isFlashMode(mode)) throw new UsageError(`bad mode '${mode}'`);
  const board = (o.board as string | undefined) ?? s.config.board;
  const images = await resolveImages(s.config, args, connection(s).target, Deno.cwd());
  if (!s.options.json) { for (const b of images.builds) s.io.err(describeBuild(b)); }
  const target = await resolveTarget(s, images.chip);
  const support = supportImages(
    s.registry,
    target,
    (o.bootloader as string | undefined) ?? s.config.bootloader,
    (o.partitionTable as string | undefined) ?? s.config.partitionTable,
  );
  return {
    target,
    inputs: [...support, ...images.inputs],
    connect: connectOptions(s, s.registry.target(target).link, images.options),
    mode,
    partialBlocks: (o.partial as "keep" | "fill" | undefined) ?? s.config.pipeline.partialBlocks,
    hash: (o.hash as string | undefined) ?? s.config.pipeline.hash,
    verify: o.verify === false ? false : s.config.pipeline.verify,
    dryRun,
    formatOptions: { ...images.formatOptions, ...(board ? { board } : {}) },
    force: o.force === true,
    ...(o.record === false ? {} : recordFor(s)),
  };
}

/**
 * The flash record store for this run: none for a simulated chip that starts afresh every
 * run (a `sim:` address without `state=`), whose identity says nothing of its flash.
 */
function recordFor(s: Session): { record?: FlashRecordStore } {
  const fresh = connection(s).ports.some((p) => p.startsWith("sim:") && !p.includes("state="));
  const dir = s.io.recordDir === undefined ? defaultRecordDir() : s.io.recordDir;
  return fresh || !dir ? {} : { record: new FileRecordStore(dir) };
}

async function runFlash(io: CliIO, args: string[], o: Record<string, unknown>, dryRun: boolean) {
  const s = await openSession(o as GlobalOptions, io);
  const req = await request(s, args, o, dryRun);
  const c = connection(s);
  if (c.ports.length > 1) return flashMany(s, io, req, "port", c.ports);
  if (c.probes.length > 1) return flashMany(s, io, req, "probe", c.probes);
  const view = s.options.json ? undefined : progressView(io);
  // Log lines and notices go through the live frame while it is drawn.
  const unroute = view?.sink.live ? io.routeErr?.(view.log) : undefined;
  const ctx = runContext(s, view?.onEvent);
  const monitor = o.monitor === true && !dryRun;
  const timeout = parseTimeout(o.timeout);
  // The same target, saying which device it reached before anything is hashed or written.
  const base = s.registry.target(String(req.target));
  const target: Target = {
    ...base,
    async connect(c, request) {
      const d = await base.connect(c, request);
      try {
        if (!s.options.json) io.err(await deviceLine(d, c));
      } catch (e) {
        await d.close();
        throw e;
      }
      return d;
    },
  };
  let device;
  if (monitor) {
    // The monitor needs the device the run flashes, so it is opened here; check the image
    // first, as the run would, so a wrong image is refused before any device is opened.
    await composeStages(s.registry, target).loadImage(ctx, {
      inputs: req.inputs,
      target,
      formatOptions: { ...target.formatOptions, ...req.formatOptions },
      force: req.force,
    });
    device = await target.connect(ctx, req.connect ?? {});
  }
  let result;
  try {
    result = await flash(s.registry, ctx, { ...req, target, device });
  } catch (e) {
    await device?.close();
    throw e;
  } finally {
    view?.finish();
    unroute?.();
    // Also after a failure: the map shows which blocks failed.
    if (view && !view.sink.live) {
      for (const line of view.map.render(io.columns?.() ?? 80, false)) io.err(line);
    }
    if (view) io.err(view.map.legend(view.sink.color));
  }
  if (s.options.json) {
    io.out(JSON.stringify(resultJson(result, dryRun), null, 2));
  } else {
    if (dryRun || s.options.verbose) {
      for (const run of result.plan.runs) {
        io.out(`  write ${hex32(run.address)} ${formatBytes(run.data.length)}`);
      }
    }
    // The estimate was printed before writing (progress view); a dry run's summary ends with it.
    // NOR flash erases "sectors" (ESP), MCU flash controllers erase "pages" (nRF, STM32).
    const unit = s.registry.target(result.target).family === "esp" ? "sectors" : "pages";
    io.out(summaryLine(result, dryRun, unit));
  }
  if (device) {
    try {
      return await monitorDevice(
        io,
        device,
        ctx,
        timeout,
        o.elf as string | undefined,
        // A probe target's console is the board's serial port (e.g. DAPLink's), if given.
        c.port && s.registry.target(String(req.target)).link === "probe"
          ? () => s.registry.openTransport(ctx, "serial", c.port!, { baudRate: 115200 })
          : undefined,
      );
    } finally {
      await device.close();
    }
  }
  return 0;
}

async function runOfflinePlan(io: CliIO, args: string[], o: Record<string, unknown>) {
  const s = await openSession(o as GlobalOptions, io);
  const target = s.registry.target(requireTarget(s));
  const board = (o.board as string | undefined) ?? s.config.board;
  const formatOptions = { ...target.formatOptions, ...(board ? { board } : {}) };
  // The target's own stages, as against a device: images are checked and prepared (ELF to app
  // image, bootloader settings) the same way, and the plan rounds erase blocks alike.
  const stages = composeStages(s.registry, target);
  const ctx = runContext(s);
  const load = (inputs: ImageInput[], c = ctx) =>
    stages.loadImage(c, { inputs, target, formatOptions, force: o.force === true });
  const image = await load(imageInputs(s, args));
  // What the device holds was written before: its load warnings would only repeat.
  const quiet = { ...ctx, log: { ...ctx.log, warn: ctx.log.debug } };
  const old = await load(String(o.against).split(",").map(parseImageSpec), quiet);
  // The map a device would report: flash size from -O flashSize or config, else the image's.
  const options = target.parseOptions(connectOptions(s, target.link).options);
  const layout = target.layoutFor?.(options, image.end >= old.end ? image : old) ?? target.layout;
  checkRange(image, layout, target.name);
  checkRange(old, layout, target.name);
  const base = fullReport(image, layout);
  const changed = new Set<number>();
  for (const r of layout.regions) {
    for (const a of compareImages(old, image, r.blockSize).differentBlocks) changed.add(a);
  }
  const report = {
    algorithm: "host-diff",
    requests: 0,
    blocks: base.map((b) => ({ ...b, same: !changed.has(b.address) })),
  };
  const mode = ((o.mode as string | undefined) ?? "diff") as "diff" | "full";
  const plan = await stages.plan(ctx, {
    image,
    report,
    layout,
    mode,
    cost: target.cost,
  });
  if (s.options.json) {
    io.out(
      JSON.stringify(
        {
          target: target.name,
          against: o.against,
          plan: {
            mode,
            totals: plan.totals,
            changed: writtenFor(plan, "changed", "full"),
            assumedChanged: writtenFor(plan, "assumed"),
            rounded: writtenFor(plan, "rounded"),
            estimateMs: plan.estimate?.ms,
          },
        },
        null,
        2,
      ),
    );
    return 0;
  }
  for (const run of plan.runs) {
    io.out(`  write ${hex32(run.address)} ${formatBytes(run.data.length)}`);
  }
  io.out(
    `would write ${plan.totals.write} of ${plan.totals.blocks} blocks (${
      formatBytes(plan.totals.bytes)
    }), ${plan.totals.skip} unchanged (host-side diff against ${o.against}, device not contacted)${
      plan.estimate ? `; flashing would take about ${formatMs(plan.estimate.ms)} (estimate)` : ""
    }`,
  );
  return 0;
}

/** The `flash` command. */
export function flashCommand(io: CliIO): CommandSpec {
  return {
    name: "flash",
    description: "write the blocks that differ, then verify them",
    arguments: [{
      name: "images",
      description: "image files (file.bin@0x10000, program.hex, app.elf)",
      required: false,
      variadic: true,
    }],
    options: [
      ...common,
      { flags: "--no-verify", description: "skip verifying written blocks" },
      {
        flags: "--no-record",
        description: "neither use nor keep the record of what was last flashed to this device",
      },
      { flags: "-M, --monitor", description: "open the serial monitor after flashing" },
      { flags: "--timeout <seconds>", description: "with --monitor: stop after this long" },
      { flags: "--elf <file>", description: "with --monitor: decode backtrace addresses" },
    ],
    examples: [
      "deltaflash flash --target esp32c3 --port sim:esp32c3 app.bin@0x10000",
      "deltaflash flash --target microbit-v2 --probe sim:microbit-v2 program.hex",
    ],
    run: (args, o) => runFlash(io, args, o, false),
  };
}

/** The `plan` command. */
export function planCommand(io: CliIO): CommandSpec {
  return {
    name: "plan",
    description: "show what flash would write (asks the device for hashes, writes nothing)",
    arguments: [{ name: "images", description: "image files", required: false, variadic: true }],
    options: [...common, {
      flags: "--against <old>",
      description: "compare with an old image on the host instead of asking the device",
    }],
    examples: [
      "deltaflash plan --target esp32 --port sim:esp32 app.bin@0x10000",
      "deltaflash plan --target esp32 new.bin@0x10000 --against old.bin@0x10000",
    ],
    run: (args, o) => o.against ? runOfflinePlan(io, args, o) : runFlash(io, args, o, true),
  };
}
