/**
 * A CMSIS-DAP probe over a packet link: command/response with the command id checked,
 * pipelining of up to PACKET_COUNT outstanding packets, and the one-shot commands.
 *
 * @module
 */
import {
  AbortedError,
  type DapPacketLink,
  DeviceError,
  type LinkStats,
  type RunContext,
  TimeoutError,
} from "../../kernel/mod.ts";
import {
  boardIdFromUniqueId,
  Cmd,
  decodeInfo,
  encodeInfo,
  encodeSwjClock,
  encodeTransferConfigure,
  encodeWriteAbort,
  InfoId,
  jtagToSwdSequence,
} from "./protocol.ts";

/** Options for {@link DapProbe}. */
export interface DapProbeOptions {
  /** Time to wait for one response, in ms. */
  readonly responseTimeoutMs?: number;
}

/** What a probe says about itself. */
export interface ProbeIdentity {
  /** DAPLink board id (e.g. `9904`); undefined for other probes. */
  readonly boardId?: string;
  /** DAP_Info firmware version, if the probe reports one. */
  readonly firmware?: string;
}

/** The probe: packet exchange plus the CMSIS-DAP commands that are not register transfers. */
export class DapProbe {
  /** Packet size reported by DAP_Info (the link's until asked). */
  packetSize: number;
  /** Packets the probe can buffer (DAP_Info PACKET_COUNT; 1 until asked). */
  packetCount = 1;
  readonly #link: DapPacketLink;
  readonly #timeoutMs: number;
  readonly #stats: LinkStats = { bytesOut: 0, bytesIn: 0, roundTrips: 0 };
  /** Responses still owed by the probe after an interrupted exchange. */
  #owed = 0;
  #capabilities = false;

  constructor(link: DapPacketLink, options: DapProbeOptions = {}) {
    if (!Number.isInteger(link.packetSize) || link.packetSize < 8) {
      throw new DeviceError(`the probe link reports a packet size of ${link.packetSize} bytes`, {
        hint: "a CMSIS-DAP packet holds at least 8 bytes; check the probe or probe server",
      });
    }
    this.#link = link;
    this.packetSize = link.packetSize;
    this.#timeoutMs = options.responseTimeoutMs ?? 2000;
  }

  /** Counters so far. */
  stats(): LinkStats {
    return { ...this.#stats };
  }

  /**
   * Sends `packets` keeping up to PACKET_COUNT in flight and returns the responses in order.
   * A response whose command id does not match is a stale one from an earlier exchange and
   * is dropped.
   */
  exchange(ctx: RunContext, packets: readonly Uint8Array[]): Promise<Uint8Array[]> {
    return this.#exchange(ctx, packets, false);
  }

  /** {@link exchange}; with `unsupported`, a 0xFF reply is returned instead of thrown. */
  async #exchange(
    ctx: RunContext,
    packets: readonly Uint8Array[],
    unsupported: boolean,
  ): Promise<Uint8Array[]> {
    await this.#settle();
    const out: Uint8Array[] = [];
    let sent = 0;
    try {
      while (out.length < packets.length) {
        if (ctx.signal.aborted) throw new AbortedError({ cause: ctx.signal.reason });
        while (sent < packets.length && sent - out.length < this.packetCount) {
          const p = packets[sent];
          if (p.length > this.packetSize) {
            throw new DeviceError(
              `a ${p.length}-byte CMSIS-DAP command does not fit the probe's ` +
                `${this.packetSize}-byte packets`,
              {
                hint:
                  "the probe (or probe server) reports too small a packet size; use one with 64-byte packets",
              },
            );
          }
          await this.#link.write(p);
          this.#stats.bytesOut += p.length;
          this.#stats.roundTrips++;
          sent++;
        }
        out.push(await this.#readFor(packets[out.length][0], unsupported));
      }
    } finally {
      this.#owed += sent - out.length;
    }
    return out;
  }

  /** One command, one response. */
  async command(ctx: RunContext, packet: Uint8Array): Promise<Uint8Array> {
    return (await this.exchange(ctx, [packet]))[0];
  }

  async #readFor(id: number, unsupported = false): Promise<Uint8Array> {
    // A stale reply can only come from packets an earlier exchange left behind, so allow
    // as many as could have been in flight.
    for (let stale = 0; stale <= this.packetCount; stale++) {
      let r: Uint8Array;
      try {
        r = await this.#link.read(this.#timeoutMs);
      } catch (e) {
        if (e instanceof DeviceError) throw e;
        throw new TimeoutError(`CMSIS-DAP probe did not answer command 0x${id.toString(16)}`, {
          hint: "unplug and replug the board, then try again",
          cause: e,
        });
      }
      this.#stats.bytesIn += r.length;
      if (r[0] === id) return r;
      if (r[0] === 0xff) {
        if (unsupported) return r;
        throw new DeviceError(`CMSIS-DAP probe does not support command 0x${id.toString(16)}`);
      }
    }
    throw new DeviceError(`CMSIS-DAP responses are out of step (expected 0x${id.toString(16)})`, {
      hint: "another program may be using the probe; close it and try again",
    });
  }

  /** Collects responses an interrupted exchange left in the probe. */
  async #settle(): Promise<void> {
    while (this.#owed > 0) {
      this.#owed--;
      try {
        const r = await this.#link.read(this.#timeoutMs);
        this.#stats.bytesIn += r.length;
      } catch {
        this.#owed = 0;
      }
    }
  }

  /**
   * Discards responses an earlier session left in the probe (it was interrupted with
   * commands in flight): reads with a short timeout until nothing more arrives.
   */
  async drain(quietMs = 20): Promise<number> {
    let dropped = 0;
    for (; dropped < 64; dropped++) {
      try {
        const r = await this.#link.read(quietMs);
        this.#stats.bytesIn += r.length;
      } catch {
        break;
      }
    }
    this.#owed = 0;
    return dropped;
  }

  /** DAP_Info data bytes for `id`. */
  async info(ctx: RunContext, id: number): Promise<Uint8Array> {
    return decodeInfo(await this.command(ctx, encodeInfo(id)));
  }

  /**
   * Reads PACKET_COUNT, then PACKET_SIZE (with `more` commands pipelined behind it once the
   * count allows), and adopts them; the replies to `more`, in order. A reply of 0xFF (command
   * not supported) to one of `more` is returned, not thrown.
   */
  async readCapabilities(
    ctx: RunContext,
    more: readonly Uint8Array[] = [],
  ): Promise<Uint8Array[]> {
    // Until PACKET_COUNT is known only one command may be in flight, so it goes first alone.
    const [count] = (await this.exchange(ctx, [encodeInfo(InfoId.PacketCount)])).map(decodeInfo);
    if (count.length >= 1 && count[0] >= 1) this.packetCount = count[0];
    const [sizeReply, ...rest] = await this.#exchange(
      ctx,
      [encodeInfo(InfoId.PacketSize), ...more],
      true,
    );
    const size = decodeInfo(sizeReply);
    if (size.length >= 2) {
      const s = size[0] | (size[1] << 8);
      // The link cannot carry more than its report size, whatever the firmware claims.
      if (s >= 8) this.packetSize = Math.min(s, this.#link.packetSize);
    }
    this.#capabilities = true;
    return rest;
  }

  /**
   * Capabilities, DAPLink board id and firmware version in two exchanges (the first holds
   * PACKET_COUNT alone); capabilities already read are not asked again.
   */
  async identify(ctx: RunContext): Promise<ProbeIdentity> {
    const asks = [Uint8Array.of(Cmd.VendorUniqueId), encodeInfo(InfoId.FirmwareVersion)];
    const [unique, version] = this.#capabilities
      ? await this.#exchange(ctx, asks, true)
      : await this.readCapabilities(ctx, asks);
    const firmware = version[0] === Cmd.Info
      ? new TextDecoder().decode(decodeInfo(version)).replace(/\0.*$/s, "")
      : "";
    return {
      boardId: unique[0] === Cmd.VendorUniqueId ? boardIdFromUniqueId(unique) : undefined,
      firmware: firmware || undefined,
    };
  }

  /** True once {@link readCapabilities} has run. */
  get capabilitiesKnown(): boolean {
    return this.#capabilities;
  }

  /** DAP_Connect in SWD mode, clock, transfer configuration and the JTAG-to-SWD switch. */
  async connectSwd(
    ctx: RunContext,
    clockHz: number,
    waitRetry: number,
    matchRetry: number,
  ): Promise<void> {
    const replies = await this.exchange(ctx, [
      encodeSwjClock(clockHz),
      Uint8Array.of(Cmd.Connect, 1),
      encodeTransferConfigure(0, waitRetry, matchRetry),
      ...jtagToSwdSequence(),
    ]);
    if (replies[1][1] !== 1) {
      throw new DeviceError("the CMSIS-DAP probe could not switch to SWD", {
        hint: "check the probe firmware supports SWD",
      });
    }
    for (const r of replies) {
      if (r[0] !== Cmd.Connect && r[1] !== 0) {
        throw new DeviceError(`CMSIS-DAP command 0x${r[0].toString(16)} failed`);
      }
    }
  }

  /** DAP_WriteABORT: clears sticky errors (and aborts a stalled transfer with bit 0). */
  async writeAbort(ctx: RunContext, value: number): Promise<void> {
    const r = await this.command(ctx, encodeWriteAbort(value));
    if (r[1] !== 0) throw new DeviceError("DAP_WriteABORT failed");
  }

  /** DAP_ResetTarget: the probe's device-specific reset; true when it has one. */
  async resetTarget(ctx: RunContext): Promise<boolean> {
    const r = await this.command(ctx, Uint8Array.of(Cmd.ResetTarget));
    return r[1] === 0 && r[2] === 1;
  }

  /** DAPLink board id (e.g. `9904`) from vendor command 0x80, if the probe is a DAPLink. */
  async boardId(ctx: RunContext): Promise<string | undefined> {
    try {
      return boardIdFromUniqueId(await this.command(ctx, Uint8Array.of(Cmd.VendorUniqueId)));
    } catch (e) {
      if (e instanceof TimeoutError) throw e;
      return undefined; // not a DAPLink
    }
  }

  /** Closes the link. */
  close(): Promise<void> {
    return this.#link.close();
  }
}
