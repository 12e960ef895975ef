/**
 * Opening an nRF session: a CMSIS-DAP probe link from the registry (DAPLink board id check,
 * SWD bring-up) or a GDB server link, then the device.
 *
 * @module
 */
import { type ConnectOptions, DeviceError, type RunContext, UsageError } from "../../kernel/mod.ts";
import { DapCortexM, type GdbCortexMDebug, openProbe, type ProbeHost } from "../../probes/mod.ts";
import { boardForId, type NrfBoard } from "./chips.ts";
import { NrfDevice } from "./device.ts";
import type { NrfOptions } from "./options.ts";

/** TransferConfigure match retries: 16384 polls of about 12.5 µs each. */
const MATCH_RETRY = 16384;

/** Probe address used when none is given: the first CMSIS-DAP HID device. */
export const DEFAULT_PROBE = "hid:";

/**
 * Connects to `board` through the probe named in `options`; the registry's transport for
 * the address decides whether that is a CMSIS-DAP probe or a GDB server.
 */
export async function connectNrf(
  host: ProbeHost,
  ctx: RunContext,
  board: NrfBoard,
  options: ConnectOptions<NrfOptions>,
): Promise<NrfDevice> {
  const address = options.probe ?? DEFAULT_PROBE;
  const session = await openProbe(ctx, host, address, { target: board.target });
  if (session.kind === "gdb") return await connectGdb(ctx, board, session.core, address, options);
  const probe = session.probe;
  try {
    const stale = await probe.drain();
    if (stale) ctx.log.debug(`dropped ${stale} stale probe response(s)`);
    const { boardId, firmware } = await probe.identify(ctx);
    const found = boardId ? boardForId(boardId) : undefined;
    if (boardId && board.boardIds.length && !board.boardIds.includes(parseInt(boardId, 16))) {
      throw new UsageError(
        `the probe reports board id ${boardId}${
          found ? ` (${found.boardName})` : ""
        }, not a ${board.boardName}`,
        { hint: found ? `use --target ${found.target}` : "check the board and --target" },
      );
    }
    const core = await DapCortexM.connect(ctx, probe, {
      clockHz: options.options.swdClockHz,
      // One in-probe halt poll outlasts a page erase and program (about 130 ms on the
      // nRF52 at 4 MHz SWCLK), so the halt is seen within one poll, not a frame or two late.
      matchRetry: MATCH_RETRY,
      description: `CMSIS-DAP ${address}`,
      checkCore: false,
    });
    await core.checkCore(ctx).catch(async (e) => {
      // A locked nRF52 faults every AHB-AP read; its CTRL-AP says so, the better message.
      if (board.chip.core === "Cortex-M4F" && await approtected(ctx, core)) {
        throw new DeviceError("the chip has APPROTECT enabled: flash cannot be read or hashed", {
          hint: "recover it with a CTRL-AP ERASEALL (e.g. nrfjprog --recover); this erases it",
          cause: e,
        });
      }
      throw e;
    });
    const details: Record<string, string> = { probe: address };
    if (boardId) details["board id"] = boardId;
    if (firmware) details["probe firmware"] = firmware;
    const device = await NrfDevice.open(ctx, core, board.chip, details);
    device.resetOnClose = options.options.reset;
    return device;
  } catch (e) {
    await probe.close().catch(() => {});
    throw e;
  }
}

/** The same device over a GDB server (QEMU, OpenOCD, pyOCD, Black Magic Probe). */
async function connectGdb(
  ctx: RunContext,
  board: NrfBoard,
  core: GdbCortexMDebug,
  address: string,
  options: ConnectOptions<NrfOptions>,
): Promise<NrfDevice> {
  try {
    const device = await NrfDevice.open(ctx, core, board.chip, { probe: address });
    device.resetOnClose = options.options.reset;
    return device;
  } catch (e) {
    await core.close().catch(() => {});
    throw e;
  }
}

/** nRF52 CTRL-AP (AP #1) APPROTECTSTATUS reads 0: the debugger cannot reach memory. */
async function approtected(ctx: RunContext, core: DapCortexM): Promise<boolean> {
  const r = await core.port.run(ctx, (b) => b.apRead(1, 0x00c)).catch(() => undefined);
  return r?.values[0] === 0;
}
