/**
 * The USB HID link between host and probe in virtual (or real) time: each direction
 * carries one 64-byte report per 1 ms frame; the probe buffers up to DAP_PACKET_COUNT
 * commands and works through them in order, so a host that keeps several packets in
 * flight overlaps USB frames with probe work. A write beyond the buffer waits (the OUT
 * endpoint NAKs) until a response has gone out.
 *
 * `read(timeoutMs)` waits for the next response; when nothing is in flight it times out
 * after `timeoutMs` on the run's clock. With something in flight it waits for it (the
 * probe always answers), so no stray timer is left on a virtual clock.
 *
 * @module
 */
import { type Clock, type DapPacketLink, DeviceError, TimeoutError } from "../../kernel/mod.ts";
import type { SimDapLinkedBoard } from "./model.ts";
import { DAP_TIMING } from "./timing.ts";

/** Link counters. */
export interface SimLinkStats {
  packetsOut: number;
  packetsIn: number;
}

/** A DapPacketLink to a simulated board. */
export class SimDapLink implements DapPacketLink {
  /** HID report size. */
  readonly packetSize: number = DAP_TIMING.packetSize;
  /** Packet counters. */
  readonly stats: SimLinkStats = { packetsOut: 0, packetsIn: 0 };
  #outFree = 0;
  #inFree = 0;
  #inFlight = 0;
  #responses: (Uint8Array | Error)[] = [];
  #readers: (() => void)[] = [];
  #slotWaiters: (() => void)[] = [];
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  /** A link to `board` timed on `clock`. */
  constructor(
    readonly board: SimDapLinkedBoard,
    readonly clock: Clock,
    /** USB frame time per report and direction, ms (benchmarks vary it). */
    readonly frameMs: number = DAP_TIMING.frameMs,
  ) {
    board.clockOffsetMs = board.device.nowMs - clock.now();
  }

  async write(packet: Uint8Array): Promise<void> {
    if (this.#closed) throw new DeviceError("DAP link is closed");
    if (packet.length > this.packetSize) {
      throw new DeviceError(`DAP packet of ${packet.length} bytes exceeds the report size 64`);
    }
    while (this.#inFlight >= DAP_TIMING.packetCount) {
      await new Promise<void>((resolve) => this.#slotWaiters.push(resolve));
    }
    this.#inFlight++;
    const copy = new Uint8Array(this.packetSize);
    copy.set(packet);
    const now = this.clock.now();
    const arrive = Math.max(now, this.#outFree) + this.frameMs;
    this.#outFree = arrive;
    this.stats.packetsOut++;
    await this.clock.sleep(arrive - now);
    this.#chain = this.#chain.then(() => this.#process(copy));
  }

  async #process(packet: Uint8Array): Promise<void> {
    if (this.#closed) return;
    const board = this.board;
    board.device.advanceTo(this.clock.now() + board.clockOffsetMs);
    const { response, us, overflow } = board.probe.execute(packet);
    await this.clock.sleep(us / 1000);
    if (!response) {
      this.#release();
      return;
    }
    const now = this.clock.now();
    const deliver = Math.max(now, this.#inFree) + this.frameMs;
    this.#inFree = deliver;
    void this.clock.sleep(deliver - now).then(() => {
      if (this.#closed) return;
      this.#responses.push(
        overflow
          ? new DeviceError(
            `command 0x${
              packet[0].toString(16)
            } needs a ${overflow}-byte response, more than the ` +
              `${this.packetSize}-byte report (the probe firmware would overrun its buffer)`,
          )
          : response,
      );
      this.stats.packetsIn++;
      this.#release();
      this.#readers.shift()?.();
    });
  }

  #release(): void {
    this.#inFlight--;
    this.#slotWaiters.shift()?.();
  }

  async read(timeoutMs = 5000): Promise<Uint8Array> {
    for (;;) {
      if (this.#closed) throw new DeviceError("DAP link is closed");
      const next = this.#responses.shift();
      if (next instanceof Error) throw next;
      if (next) return next;
      if (this.#inFlight === 0) {
        await this.clock.sleep(timeoutMs);
        if (this.#responses.length) continue;
        throw new TimeoutError(`no CMSIS-DAP response within ${timeoutMs} ms`);
      }
      await new Promise<void>((resolve) => this.#readers.push(resolve));
    }
  }

  close(): Promise<void> {
    this.#closed = true;
    for (const r of this.#readers.splice(0)) r();
    for (const w of this.#slotWaiters.splice(0)) w();
    return Promise.resolve();
  }
}
