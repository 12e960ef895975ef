/**
 * The ESP flash session: device-side MD5 of any range, compressed programming through the
 * ROM, link counters. ROM-only: FLASH_(DEFL_)BEGIN erases whole 4 KiB sectors, so the bytes
 * of a partly covered sector that the image leaves out are 0xFF afterwards; there is no
 * readback (the ROM's READ_FLASH_SLOW is 64 bytes per round trip), so the target's default
 * partial-block policy is `fill`.
 *
 * @module
 */
import { deflateSync } from "node:zlib";
import {
  AbortedError,
  type AddressRange,
  DeviceError,
  type DeviceInfo,
  type FlashDevice,
  type FlashLayout,
  type LinkStats,
  type RunContext,
  UsageError,
  type WriteRun,
} from "../../kernel/mod.ts";
import { SECTOR } from "./chips.ts";
import type { Session } from "./connect.ts";
import { type Request, request, timeoutPerMb } from "./link.ts";
import { beginRequest, decodeMd5, encodeDataBlock, md5Request, Op } from "./protocol.ts";
import { hardReset, isUsbJtagSerial, runReset } from "./reset.ts";

/** esptool's per-MB timeouts. */
const MD5_MS_PER_MB = 8000;
const ERASE_WRITE_MS_PER_MB = 40000;

/** Link and device figures the hash strategy plans with (all in ms). */
export interface HashCostHint {
  /** Wire time of one MD5 request and its reply. */
  readonly requestMs: number;
  /** Device MD5 time per byte hashed. */
  readonly msPerByte: number;
  /** Fixed turnaround of a batch (USB latency, loader dispatch). */
  readonly latencyMs: number;
}

/** Options for {@link EspDevice}. */
export interface EspDeviceOptions {
  /** Compress writes with deflate when it shrinks them (default true). */
  readonly compress?: boolean;
  /** Block size of FLASH_(DEFL_)DATA; the chip's ROM FLASH_WRITE_SIZE by default. */
  readonly writeBlockSize?: number;
  /** Assumed per-batch turnaround for the cost hint, ms (default 2). */
  readonly latencyMs?: number;
}

/** An open ESP ROM loader session as a {@link FlashDevice}. */
export class EspDevice implements FlashDevice {
  readonly info: DeviceInfo;
  readonly layout: FlashLayout;
  readonly hashAlgorithms = ["md5"] as const;
  readonly hashGranularity = "any" as const;
  readonly #s: Session;
  readonly #opts: EspDeviceOptions;

  constructor(session: Session, options: EspDeviceOptions = {}) {
    this.#s = session;
    this.#opts = options;
    const { chip, flashSize, flashId } = session;
    this.info = {
      chip: chip.name,
      details: {
        loader: session.stub ? "stub" : "ROM",
        flash: `${flashSize >> 20} MB`,
        ...(flashId !== undefined
          ? { "flash id": `0x${flashId.toString(16).padStart(6, "0")}` }
          : {}),
        baud: String(session.link.port.baudRate),
      },
    };
    this.layout = {
      regions: [{ name: "flash", start: 0, size: flashSize, blockSize: SECTOR, erasedValue: 0xff }],
    };
  }

  /** Figures for planning hash requests at the current baud rate. */
  get hashCost(): HashCostHint {
    // Full duplex: a pipelined request costs the longer of its request and its reply.
    const reply = this.#s.link.statusLen === 4 ? 8 + 36 + 2 : 8 + 18 + 2;
    return {
      requestMs: Math.max(26, reply) * 10 * 1000 / this.#s.link.port.baudRate,
      msPerByte: 1 / this.#s.chip.md5BytesPerMs,
      latencyMs: this.#opts.latencyMs ?? 2,
    };
  }

  async hash(
    ctx: RunContext,
    algorithm: string,
    ranges: readonly AddressRange[],
  ): Promise<Uint8Array[]> {
    if (algorithm !== "md5") {
      throw new UsageError(`ESP loaders hash with md5, not ${algorithm}`, {
        hint: "use --hash md5",
      });
    }
    const reqs: Request[] = ranges.map((r) => {
      const size = r.end - r.start;
      return request(
        Op.SPI_FLASH_MD5,
        md5Request(r.start, size),
        timeoutPerMb(MD5_MS_PER_MB, size),
      );
    });
    const res = await this.#s.link.pipeline(ctx, reqs);
    return res.map((r) => decodeMd5(r.body));
  }

  async program(ctx: RunContext, runs: readonly WriteRun[]): Promise<void> {
    const total = runs.reduce((n, r) => n + r.data.length, 0);
    let done = 0;
    for (const run of runs) {
      if (run.address % SECTOR || run.data.length % SECTOR) {
        throw new DeviceError(`write run at 0x${run.address.toString(16)} is not sector-aligned`);
      }
      await this.#writeRun(ctx, run, (n) => {
        done += n;
        ctx.emit({ type: "progress", stage: "write", done, total, unit: "bytes" });
      });
    }
  }

  async #writeRun(ctx: RunContext, run: WriteRun, progress: (n: number) => void): Promise<void> {
    const { link, chip } = this.#s;
    const block = this.#opts.writeBlockSize ?? chip.romWriteBlock;
    const raw = run.data;
    const packed = this.#opts.compress === false ? raw : deflateSync(raw, { level: 9 });
    // esptool v5.2+: compress only when it shrinks the data.
    const deflate = packed.length < raw.length;
    const body = deflate ? new Uint8Array(packed.buffer, packed.byteOffset, packed.length) : raw;
    const blocks = Math.ceil(body.length / block);
    const eraseSize = Math.ceil(raw.length / block) * block;
    const enc = chip.beginEncryptedWord && link.statusLen === 4;
    await link.command(
      ctx,
      request(
        deflate ? Op.FLASH_DEFL_BEGIN : Op.FLASH_BEGIN,
        beginRequest(eraseSize, blocks, block, run.address, enc),
        timeoutPerMb(ERASE_WRITE_MS_PER_MB, eraseSize),
      ),
    );
    const perBlockRaw = Math.ceil(raw.length / blocks);
    for (let seq = 0; seq < blocks; seq++) {
      if (ctx.signal.aborted) throw new AbortedError({ cause: ctx.signal.reason });
      let chunk = body.subarray(seq * block, (seq + 1) * block);
      if (!deflate && chunk.length < block) {
        const padded = new Uint8Array(block).fill(0xff);
        padded.set(chunk);
        chunk = padded;
      }
      const op = deflate ? Op.FLASH_DEFL_DATA : Op.FLASH_DATA;
      // The ROM writes before it acks, so a block may take its share of write time.
      await link.command(ctx, {
        op,
        packet: encodeDataBlock(op, seq, chunk),
        timeoutMs: timeoutPerMb(ERASE_WRITE_MS_PER_MB, perBlockRaw),
      });
      progress(Math.max(0, Math.min(perBlockRaw, raw.length - seq * perBlockRaw)));
    }
    // No FLASH_(DEFL_)END: on the ROM it leaves the loader (esptool skips it too).
  }

  /** Restarts the chip into its application (when the port carries modem lines). */
  async reset(ctx: RunContext): Promise<void> {
    await runReset(ctx, this.#s.link.port, hardReset(isUsbJtagSerial(this.#s.link.port)));
  }

  stats(): LinkStats {
    return this.#s.link.stats();
  }

  async close(): Promise<void> {
    await this.#s.link.close();
    await this.#s.link.port.close();
  }
}
