/**
 * `probes`: attached CMSIS-DAP probes with their board id, serial number and the targets
 * they suit (as `probe-rs list` and `pyocd list`), plus any `--probe` asked directly.
 *
 * @module
 */
import { DeltaflashError, type Registry } from "../../kernel/mod.ts";
import { isCmsisDap, listHidDevices } from "../../plugins/hid/discover.ts";
import type { CommandSpec } from "../commander.ts";
import { type CliIO, connection, type GlobalOptions, openSession, runContext } from "../session.ts";

/** One probe as `probes --json` prints it. */
export interface ProbeJson {
  /** Address for `--probe`. */
  address: string;
  /** Product name, when known. */
  name: string | null;
  /** USB serial number (DAPLink: board id, then a unique id). */
  serialNumber: string | null;
  /** DAPLink board id (hex), when the serial number carries one. */
  boardId: string | null;
  /** Targets that suit it. */
  targets: string[];
}

/** Targets whose board ids include `boardId` (hex). */
function targetsForBoard(registry: Registry, boardId: string): string[] {
  const id = parseInt(boardId, 16);
  return registry.targets().filter((t) => {
    const ids = t.formatOptions?.boardIds;
    return Array.isArray(ids) && ids.includes(id);
  }).map((t) => t.name);
}

/** Renders probes as an aligned table. */
export function renderProbes(probes: readonly ProbeJson[]): string {
  if (!probes.length) return "no CMSIS-DAP probes found";
  const rows = [["PROBE", "DEVICE", "SERIAL", "BOARD ID", "FOR"]];
  for (const p of probes) {
    rows.push([
      p.address,
      p.name ?? "-",
      p.serialNumber ?? "-",
      p.boardId ?? "-",
      p.targets.join(",") || "-",
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}

/** The `probes` command (`sysRoot`, the hidraw class folder, is for tests). */
export function probesCommand(io: CliIO, sysRoot?: string): CommandSpec {
  return {
    name: "probes",
    description: "list CMSIS-DAP probes: board id, serial number, suitable targets",
    examples: ["deltaflash probes", "deltaflash probes --probe sim:microbit-v2"],
    async run(_args, o) {
      const s = await openSession(o as GlobalOptions, io);
      const probes: ProbeJson[] = [];
      for (const d of (await listHidDevices(sysRoot)).filter(isCmsisDap)) {
        const boardId = /^[0-9a-f]{4}/i.exec(d.serial)?.[0] ?? null;
        probes.push({
          address: `hid:${d.path}`,
          name: d.name || null,
          serialNumber: d.serial || null,
          boardId,
          targets: boardId ? targetsForBoard(s.registry, boardId) : [],
        });
      }
      // Probes named with --probe are asked for their board id over CMSIS-DAP.
      const ctx = runContext(s);
      for (const address of connection(s).probes) {
        const targets: string[] = [];
        for (const d of s.registry.detectors("probe")) {
          try {
            const t = await d.detect(ctx, address, {});
            if (t) targets.push(s.registry.target(t).name);
          } catch (e) {
            if (!(e instanceof DeltaflashError)) throw e;
            io.err(`warning: ${address}: ${e.message}`);
          }
        }
        probes.push({
          address,
          name: null,
          serialNumber: null,
          boardId: null,
          targets: [...new Set(targets)],
        });
      }
      io.out(s.options.json ? JSON.stringify(probes, null, 2) : renderProbes(probes));
      return 0;
    },
  };
}
