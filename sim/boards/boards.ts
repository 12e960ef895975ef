/**
 * The simulated boards: a DAPLink probe wired to one nRF chip. Board ids are the DAPLink
 * ones the micro:bit tools check (reference §2.1 `board-id.ts`: V1 0x9900/0x9901, V2
 * 0x9903–0x9906; pyOCD `board_ids.py`); 1102 is the nRF52840-DK's.
 *
 * @module
 */
import { NRF_CHIPS } from "../nrf/chips.ts";
import { NrfDevice, type NrfDeviceOptions } from "../nrf/device.ts";
import { NrfCtrlAp } from "../nrf/ctrl_ap.ts";
import { DapLinkFlashStream } from "./daplink_flash.ts";
import { type AccessPort, SwDp } from "../dap/dp.ts";
import { MemAp } from "../dap/mem_ap.ts";
import { DapProbe } from "../dap/probe.ts";

/** A board as data. */
export interface BoardSpec {
  /** Address name after `sim:`. */
  readonly name: string;
  /** Chip key in NRF_CHIPS. */
  readonly chip: string;
  /** DAPLink board id (first 4 characters of the unique id). */
  readonly boardId: string;
  /** Board vendor and name (DAP_Info 7/8). */
  readonly vendor: string;
  readonly title: string;
}

/** Board table. */
export const SIM_BOARDS: Record<string, BoardSpec> = {
  "microbit-v1": {
    name: "microbit-v1",
    chip: "nrf51822",
    boardId: "9900",
    vendor: "BBC",
    title: "micro:bit",
  },
  "microbit-v2": {
    name: "microbit-v2",
    chip: "nrf52833",
    boardId: "9903",
    vendor: "BBC",
    title: "micro:bit v2",
  },
  "nrf52840": {
    name: "nrf52840",
    chip: "nrf52840",
    boardId: "1102",
    vendor: "Nordic Semiconductor",
    title: "nRF52840-DK",
  },
};

/** A probe plus its target, alive as long as the bank keeps it. */
export class SimBoard {
  /** The chip. */
  readonly device: NrfDevice;
  /** Its debug port. */
  readonly dp: SwDp;
  /** The probe firmware. */
  readonly probe: DapProbe;
  /** DAPLink drag-and-drop programming state. */
  readonly flashStream: DapLinkFlashStream;
  /** Device time minus the current link's clock time, ms. */
  clockOffsetMs = 0;

  /** A probe and a fresh chip for `spec`. */
  constructor(readonly spec: BoardSpec, options: NrfDeviceOptions = {}) {
    const chip = NRF_CHIPS[spec.chip];
    this.device = new NrfDevice(chip, options);
    const aps = new Map<number, AccessPort>([[
      0,
      new MemAp(this.device, chip.apIdr, chip.tarWrap, chip.apBase),
    ]]);
    if (chip.family === "nrf52") aps.set(1, new NrfCtrlAp(this.device));
    this.dp = new SwDp(chip.dpidr, aps);
    const [lo, hi] = options.deviceId ?? [0x12345678, 0x9abcdef0];
    const hex = (n: number) => (n >>> 0).toString(16).padStart(8, "0");
    this.flashStream = new DapLinkFlashStream(this.device, this.dp, spec.boardId);
    this.probe = new DapProbe({
      dp: this.dp,
      advanceUs: (us) => this.device.advanceBy(us / 1000),
      resetPin: () => this.device.systemReset(),
      resetRun: () => {
        this.device.cpu.vcCoreReset = false; // DAPLink's RESET_RUN clears the vector catch
        this.device.systemReset();
      },
      vendorFlash: this.flashStream,
    }, {
      uniqueId: `${spec.boardId}0000${hex(hi)}${hex(lo)}${"0".repeat(16)}97969901`,
      deviceVendor: "Nordic Semiconductor",
      deviceName: chip.name.replace(/^nrf/, "nRF"),
      boardVendor: spec.vendor,
      boardName: spec.title,
    });
  }
}
