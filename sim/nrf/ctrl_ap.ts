/**
 * The nRF52 CTRL-AP (AP #1): RESET 0x000, ERASEALL 0x004, ERASEALLSTATUS 0x008,
 * APPROTECTSTATUS 0x00C, IDR 0x0FC = 0x02880000 (nRF52 reference manual, CTRL-AP chapter;
 * the register list as pyOCD's `target_nRF52.py` uses it). Access protection is on only when a
 * test sets `NrfDevice.approtect`; ERASEALL lifts it.
 *
 * @module
 */
import type { NrfDevice } from "./device.ts";
import type { AccessPort, ApResult } from "../dap/dp.ts";

/** The nRF52 CTRL-AP. */
export class NrfCtrlAp implements AccessPort {
  #reset = 0;
  constructor(readonly device: NrfDevice) {}

  read(reg: number): ApResult {
    switch (reg) {
      case 0x000:
        return { status: "ok", value: this.#reset };
      case 0x008:
        return { status: "ok", value: this.device.nvmc.busy ? 1 : 0 };
      case 0x00c:
        return { status: "ok", value: this.device.approtect ? 0 : 1 };
      case 0x0fc:
        return { status: "ok", value: 0x02880000 };
      default:
        return { status: "ok", value: 0 };
    }
  }

  write(reg: number, value: number): ApResult {
    if (reg === 0x000) {
      const next = value & 1;
      if (this.#reset && !next) this.device.systemReset(); // released from reset
      this.#reset = next;
    } else if (reg === 0x004 && value & 1) {
      this.device.debugEraseAll();
      this.device.ram.fill(0);
      this.device.approtect = false;
    }
    return { status: "ok", value: 0 };
  }
}
