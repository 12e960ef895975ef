/**
 * A CMSIS-DAP link between the host and a simulated probe that misbehaves once, on cue: at
 * the chosen command packet the probe answers a transfer with WAIT or FAULT part-way (the
 * transfers after that point are not done, as a probe that ran out of WAIT retries or met a
 * bus fault), the USB endpoint stalls for a while, the target is reset, or the probe is
 * unplugged. With no fault armed it only counts packets (the calibration run).
 *
 * @module
 */
import { type Clock, type DapPacketLink, DeviceError, TimeoutError } from "../../kernel/mod.ts";
import type { Rng } from "../rng.ts";

/** What the link does when its fault fires. */
export type DapFault = "wait" | "fault" | "usb-stall" | "reset" | "unplug";

/** One armed fault. */
export interface DapFaultPlan {
  readonly fault: DapFault;
  /** Command packet index at which it fires (the first transfer at or after it for WAIT/FAULT). */
  readonly at: number;
  readonly rng: Rng;
  /** Pulls the target's reset line (for `reset`). */
  readonly resetTarget: () => void;
}

const TRANSFER = 0x05, BLOCK = 0x06;
const ACK_WAIT = 2, ACK_FAULT = 4;

/** A fault-injecting wrapper around a probe link. */
export class FaultyDapLink implements DapPacketLink {
  readonly packetSize: number;
  /** Packets written so far. */
  packets = 0;
  /** True once the fault fired. */
  fired = false;
  #unplugged = false;
  /** Per packet in flight: the ACK to put in its response, if rewritten. */
  readonly #rewrite: (number | undefined)[] = [];
  /** A stall armed for the next response (ms). */
  #readStall = 0;
  /** A response that arrived after its reader gave up; the next read gets it. */
  #late: Uint8Array[] = [];

  constructor(readonly inner: DapPacketLink, readonly clock: Clock, readonly plan?: DapFaultPlan) {
    this.packetSize = inner.packetSize;
  }

  async write(packet: Uint8Array): Promise<void> {
    if (this.#unplugged) throw this.#gone();
    const index = this.packets++;
    const plan = this.plan;
    let out = packet, ack: number | undefined;
    if (plan && !this.fired && index >= plan.at) {
      const f = plan.fault;
      if (f === "wait" || f === "fault") {
        const cut = truncate(packet, plan.rng);
        if (cut) {
          this.fired = true;
          out = cut;
          ack = f === "wait" ? ACK_WAIT : ACK_FAULT;
        }
      } else {
        this.fired = true;
        const ms = plan.rng.range(100, 10_000);
        // The OUT endpoint NAKs (the write waits) or the IN endpoint does (the response is late).
        if (f === "usb-stall" && plan.rng.chance(0.5)) await this.clock.sleep(ms);
        else if (f === "usb-stall") this.#readStall = ms;
        else if (f === "reset") plan.resetTarget();
        else {
          this.unplug();
          throw this.#gone();
        }
      }
    }
    if (this.#unplugged) throw this.#gone();
    this.#rewrite.push(ack);
    await this.inner.write(out);
  }

  async read(timeoutMs?: number): Promise<Uint8Array> {
    if (this.#unplugged) throw this.#gone();
    const late = this.#late.shift();
    if (late) return late;
    const r = this.#patch(await this.inner.read(timeoutMs));
    const stall = this.#readStall;
    if (stall) {
      this.#readStall = 0;
      const limit = timeoutMs ?? 5000;
      await this.clock.sleep(Math.min(stall, limit));
      if (stall > limit) {
        this.#late.push(r);
        throw new TimeoutError(`no CMSIS-DAP response within ${limit} ms`);
      }
    }
    return r;
  }

  #patch(r: Uint8Array): Uint8Array {
    const ack = this.#rewrite.shift();
    if (ack === undefined) return r;
    const out = r.slice();
    out[out[0] === BLOCK ? 3 : 2] = ack;
    return out;
  }

  /** The probe disappears (and with a USB-powered board, the target's power). */
  unplug(): void {
    if (this.#unplugged) return;
    this.#unplugged = true;
    void this.inner.close();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  #gone(): DeviceError {
    return new DeviceError("the CMSIS-DAP probe vanished (unplugged)", {
      hint: "reconnect the board and run the same command again",
    });
  }
}

/** The same transfer command with only its first j operations (j < count), or undefined. */
function truncate(packet: Uint8Array, rng: Rng): Uint8Array | undefined {
  if (packet[0] === TRANSFER && packet[2] >= 1) {
    const j = rng.int(packet[2]);
    let p = 3;
    for (let k = 0; k < j; k++) {
      const req = packet[p++];
      // Writes and reads-with-match carry a value.
      if (!(req & 2) || req & 0x10) p += 4;
    }
    const out = packet.slice(0, p);
    out[2] = j;
    return out;
  }
  if (packet[0] === BLOCK) {
    const count = packet[2] | (packet[3] << 8);
    if (count < 1) return undefined;
    const j = rng.int(count);
    const read = (packet[4] & 2) !== 0;
    const out = packet.slice(0, read ? 5 : 5 + 4 * j);
    out[2] = j & 0xff;
    out[3] = j >> 8;
    return out;
  }
  return undefined;
}
