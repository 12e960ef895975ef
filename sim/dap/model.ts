/**
 * The extension point for chips the DAP simulator does not ship: a plugin describes a board
 * ({@link SimDapBoardModel}) whose chip model brings its own SW-DP, time base and state, and
 * the bank wires it to the same simulated probe and HID-timed link as the built-in boards
 * (`DapSimBank.defineBoard`), so `sim:<name>` reaches it through the one `sim:` transport.
 *
 * @module
 */
import type { SwDp } from "./dp.ts";
import { DapProbe } from "./probe.ts";

/** A simulated chip behind the probe, as a plugin models it. */
export interface SimDapChip {
  /** The chip's debug port (with its APs). */
  readonly dp: SwDp;
  /** Device time in ms. */
  readonly nowMs: number;
  /** Lets device time reach `ms` (the core runs meanwhile). */
  advanceTo(ms: number): void;
  /** The reset pin. */
  systemReset(): void;
  /** The bytes a `?state=` file keeps (e.g. the flash array). */
  saveState(): Uint8Array;
  /** Restores bytes saved by {@link SimDapChip.saveState}. */
  loadState(bytes: Uint8Array): void;
}

/** A board a plugin adds to the DAP simulator. */
export interface SimDapBoardModel {
  /** Address name after `sim:` (lower case). */
  readonly name: string;
  /** DAPLink board id (4 hex digits), reported in the probe's unique id. */
  readonly boardId: string;
  /** Board vendor and name (DAP_Info 7/8). */
  readonly vendor: string;
  /** Board name. */
  readonly title: string;
  /** Device vendor and name (DAP_Info 5/6). */
  readonly deviceVendor: string;
  /** Device name. */
  readonly deviceName: string;
  /** Creates a fresh chip (erased flash). */
  create(): SimDapChip;
}

/** What the link needs from a board: the probe and the device clock. */
export interface SimDapLinkedBoard {
  /** The device's clock. */
  readonly device: { readonly nowMs: number; advanceTo(ms: number): void };
  /** The probe firmware. */
  readonly probe: DapProbe;
  /** Device time minus the current link's clock time, ms. */
  clockOffsetMs: number;
}

/** A probe wired to a plugin's chip model. */
export class ModelBoard implements SimDapLinkedBoard {
  /** The chip. */
  readonly device: SimDapChip;
  /** The probe firmware. */
  readonly probe: DapProbe;
  /** Device time minus the current link's clock time, ms. */
  clockOffsetMs = 0;

  constructor(readonly model: SimDapBoardModel) {
    const device = this.device = model.create();
    this.probe = new DapProbe({
      dp: device.dp,
      advanceUs: (us) => device.advanceTo(device.nowMs + us / 1000),
      resetPin: () => device.systemReset(),
    }, {
      uniqueId: `${model.boardId}0000${"0".repeat(32)}97969901`,
      deviceVendor: model.deviceVendor,
      deviceName: model.deviceName,
      boardVendor: model.vendor,
      boardName: model.title,
    });
  }
}
