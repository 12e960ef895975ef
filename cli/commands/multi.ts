/**
 * Many boards at once: one independent flash per port or probe, a line per board while they
 * run, and a summary table at the end. One board failing never stops the others.
 *
 * @module
 */
import {
  DeltaflashError,
  EXIT_FAILURE,
  flash,
  type FlashRequest,
  type FlashResult,
} from "../../kernel/mod.ts";
import { asDeltaflashError, errorJson } from "../errors.ts";
import { formatBytes, formatMs } from "../render.ts";
import { type CliIO, runContext, type Session } from "../session.ts";

interface BoardState {
  address: string;
  stage: string;
  pct: number;
  result?: FlashResult;
  error?: DeltaflashError | Error;
}

/** Flashes every board in `addresses` (ports or probes) concurrently; returns the exit code. */
export async function flashMany(
  s: Session,
  io: CliIO,
  base: FlashRequest,
  kind: "port" | "probe",
  addresses: string[],
): Promise<number> {
  const boards: BoardState[] = addresses.map((address) => ({ address, stage: "waiting", pct: 0 }));
  const live = io.isTerminal && !!io.raw && !s.options.json;
  let drawn = 0;
  const draw = () => {
    if (!live) return;
    let out = drawn ? `\x1b[${drawn}F` : "";
    for (const b of boards) {
      const w = 20, fill = Math.round((b.pct / 100) * w);
      out += `\x1b[2K${b.address.padEnd(24).slice(0, 24)} [${"#".repeat(fill)}${
        "-".repeat(w - fill)
      }] ${b.error ? "failed" : b.stage}\n`;
    }
    drawn = boards.length;
    io.raw!(out);
  };
  await Promise.allSettled(boards.map(async (b) => {
    const ctx = runContext(s, (e) => {
      if (e.type === "stage" && e.state === "start") b.stage = e.stage;
      if (e.type === "progress" && e.total) b.pct = Math.round((100 * e.done) / e.total);
      if (e.type === "stage" && e.state === "start" && !live && !s.options.json) {
        io.err(`[${b.address}] ${e.stage}…`);
      }
      draw();
    });
    try {
      b.result = await flash(s.registry, ctx, {
        ...base,
        connect: { ...base.connect, [kind]: b.address },
      });
      b.stage = "done";
      b.pct = 100;
    } catch (e) {
      b.error = e instanceof Error ? e : new Error(String(e));
    }
    draw();
  }));
  const failed = boards.filter((b) => b.error).length;
  const errors = boards.flatMap((b) => b.error ? [asDeltaflashError(b.error)] : []);
  // Every board failing the same way (a usage error, Ctrl-C) exits as that error would alone.
  const code = !errors.length
    ? 0
    : errors.every((e) => e.exitCode === errors[0].exitCode)
    ? errors[0].exitCode
    : EXIT_FAILURE;
  if (s.options.json) {
    const summary = code
      ? errorJson(
        new DeltaflashError(
          errors[0].code,
          `${failed} of ${boards.length} boards failed, first: ${errors[0].message}`,
          { hint: errors[0].hint, exitCode: code },
        ),
      )
      : {};
    io.out(JSON.stringify(
      {
        ...summary,
        boards: boards.map((b) => ({
          board: b.address,
          ok: !b.error,
          error: b.error ? errorJson(asDeltaflashError(b.error)).error : undefined,
          totals: b.result?.plan.totals,
          elapsedMs: b.result?.elapsedMs,
          modelled: b.result?.modelled,
        })),
      },
      null,
      2,
    ));
    return code;
  }
  const w = Math.max(5, ...boards.map((b) => b.address.length));
  io.out(`${"board".padEnd(w)}  result  written          time`);
  for (const b of boards) {
    if (b.error) {
      const hint = b.error instanceof DeltaflashError && b.error.hint
        ? ` (hint: ${b.error.hint})`
        : "";
      io.out(`${b.address.padEnd(w)}  FAILED  ${b.error.message}${hint}`);
      continue;
    }
    const r = b.result!;
    const t = r.plan.totals;
    io.out(
      `${b.address.padEnd(w)}  ok      ${
        `${t.write}/${t.blocks} (${formatBytes(t.bytes)})`.padEnd(17)
      }${formatMs(r.elapsedMs)}${r.modelled ? " (modelled)" : ""}`,
    );
  }
  io.out(
    `${boards.length - failed} of ${boards.length} boards flashed${
      failed ? `, ${failed} failed` : ""
    }`,
  );
  return code;
}
