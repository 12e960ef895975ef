/**
 * Which target to use: --target/--chip, a build folder's chip, config, else what the device
 * says (an ESP chip id on a serial port, as esptool and espflash find it; a CMSIS-DAP probe's
 * board id, as pyOCD does) through the detectors plugins register.
 *
 * @module
 */
import { DeltaflashError, type FlashDevice, type RunContext, UsageError } from "../kernel/mod.ts";
import { connection, runContext, type Session } from "./session.ts";

/** Probe tried first when neither --port nor --probe is given: the first CMSIS-DAP device. */
const ANY_PROBE = "hid:";
/** Serial port tried next: the one USB serial port whose bridge suits an ESP. */
const ANY_PORT = "serial:auto";

/** The target name, from the command line, a build folder (`implied`), config or the device. */
export async function resolveTarget(s: Session, implied?: string): Promise<string> {
  const o = s.options;
  const named = o.target ?? o.chip ?? implied ?? s.config.target;
  if (named) return named;
  const c = connection(s);
  const tries: { link: "serial" | "probe"; address: string }[] = [
    ...c.probes.map((address) => ({ link: "probe" as const, address })),
    ...c.ports.map((address) => ({ link: "serial" as const, address })),
  ];
  const given = tries.length > 0;
  if (!given) {
    tries.push({ link: "probe", address: ANY_PROBE }, { link: "serial", address: ANY_PORT });
  }
  const ctx = runContext(s);
  const failures: string[] = [];
  for (const t of tries) {
    for (const d of s.registry.detectors(t.link)) {
      try {
        const found = await d.detect(ctx, t.address, {
          options: { ...s.config.options, ...flagsForDetection(s) },
        });
        if (found) {
          const target = s.registry.target(found);
          if (!o.json) s.io.err(`detected ${target.name} on ${t.address}`);
          return target.name;
        }
      } catch (e) {
        if (!(e instanceof DeltaflashError)) throw e;
        failures.push(`${t.address}: ${e.message}`);
        if (given) throw e; // the device named on the command line did not answer
      }
    }
  }
  throw new UsageError("no target given, and no device told which it is", {
    hint: `pass --target or --chip (one of: ${
      s.registry.targets().map((x) => x.name).join(", ")
    }), or --port / --probe for a device to ask${
      failures.length ? ` (${failures.join("; ")})` : ""
    }`,
  });
}

/** `--before no-reset` matters for detection too (it resets the chip otherwise). */
function flagsForDetection(s: Session): Record<string, unknown> {
  const before = s.options.before?.replaceAll("_", "-");
  return before ? { before } : {};
}

/** One line naming the device about to be written: chip, revision, MAC and flash size. */
export async function deviceLine(device: FlashDevice, ctx: RunContext): Promise<string> {
  const info = device.describe ? await device.describe(ctx) : device.info;
  const d = info.details ?? {};
  const flash = device.layout.regions.find((r) => r.name === "flash") ?? device.layout.regions[0];
  const size = d.flash ?? (flash ? `${flash.size >> 10} KiB` : undefined);
  return [
    `${info.chip}${d.revision ? ` (revision ${d.revision})` : ""}`,
    d.MAC ? `MAC ${d.MAC}` : d["board id"] ? `board id ${d["board id"]}` : undefined,
    size ? `${size} flash` : undefined,
  ].filter(Boolean).join(", ");
}
