/**
 * Sending write runs to the ROM loader or the flasher stub, and hashing along the way. The
 * stub acks a data block as soon as it has it and programs it while the next one arrives
 * (double-buffered RX), so an MD5 request sent just ahead of a block is hashed while that
 * block is still on the line: where the line is slower than the flash, checks that verify
 * needs cost no time. The ROM reads one frame, runs it, then reads the next, with only its
 * 128-byte UART FIFO to hold what arrives meanwhile; an MD5 request sent right behind a
 * command waits there, and runs while the answer travels to the host and the next command
 * back. The host sends that command as soon as the answer is in, whatever the link's
 * latency, so the hash must end before the FIFO could fill: within 128 bytes of line time.
 *
 * @module
 */
import {
  AbortedError,
  type AddressRange,
  type Clock,
  type HashedRange,
  type RunContext,
  type WriteRun,
} from "../../kernel/mod.ts";
import { constants, createInflate } from "node:zlib";
import type { EspChip } from "./chips.ts";
import { flashWorkMs, lineMs } from "./cost.ts";
import { type EspLink, type Request, request, timeoutPerMb } from "./link.ts";
import { beginRequest, decodeMd5, encodeDataBlock, md5Request, Op, words } from "./protocol.ts";
import { STUB_WRITE_BLOCK } from "./stub.ts";
import type { Packed } from "./write.ts";

/**
 * Inflated bytes the stub may hold before it writes them (its deflate output buffer, reference
 * notes §2.5); a stream's last block writes them all.
 */
const INFLATE_BUFFER = 0x8000;

/** The ROM's UART RX FIFO, bytes (ESP32-family TRMs). */
const ROM_FIFO = 128;
/** MD5 requests the ROM's FIFO holds behind a command (26 bytes each, with a margin). */
const ROM_BEHIND = 4;

/** esptool's per-MB timeouts. */
const MD5_MS_PER_MB = 8000, ERASE_WRITE_MS_PER_MB = 40000;

/** One MD5 request for `r`. */
export function md5Of(r: AddressRange): Request {
  const size = r.end - r.start;
  return request(Op.SPI_FLASH_MD5, md5Request(r.start, size), timeoutPerMb(MD5_MS_PER_MB, size));
}

/**
 * Checks waiting to be hashed during a write, in order: each may go out once every run that
 * overlaps or precedes it has been sent, and only while the block it rides ahead of takes
 * longer on the line than the flash work queued before it plus the hashing.
 */
export class CheckQueue {
  readonly #pending: AddressRange[];
  readonly #hashed: HashedRange[] = [];
  readonly #msPerByte: number;

  constructor(checks: readonly AddressRange[], msPerByte: number) {
    this.#pending = [...checks].sort((a, b) => a.start - b.start);
    this.#msPerByte = msPerByte;
  }

  /** Checks not hashed during the write (verify hashes them). */
  get left(): readonly AddressRange[] {
    return this.#pending;
  }

  /** Digests taken so far. */
  get hashed(): readonly HashedRange[] {
    return this.#hashed;
  }

  /**
   * Takes whole checks whose hashing fits in `budgetMs`, skipping those `blocked` (flash still
   * to be written there): verify knows a digest only for the very range it asked about.
   */
  take(budgetMs: number, blocked: (r: AddressRange) => boolean, most = Infinity): AddressRange[] {
    const out: AddressRange[] = [];
    let left = budgetMs;
    for (let i = 0; i < this.#pending.length && left > 0;) {
      const c = this.#pending[i];
      const ms = (c.end - c.start) * this.#msPerByte;
      const last = out[out.length - 1];
      // Neighbours go out as one request (verify takes a digest of several of its pieces).
      const joins = last?.end === c.start;
      if (blocked(c) || ms > left || (!joins && out.length >= most)) {
        i++;
        continue;
      }
      if (joins) out[out.length - 1] = { start: last.start, end: c.end };
      else out.push(c);
      this.#pending.splice(i, 1);
      left -= ms;
    }
    return out;
  }

  /** Records the digests of checks taken. */
  record(ranges: readonly AddressRange[], digests: readonly Uint8Array[]): void {
    ranges.forEach((range, i) => this.#hashed.push({ range, digest: digests[i] }));
  }
}

/**
 * For each data block of a run, how many of its raw bytes the blocks up to it decode to: what
 * the loader has programmed once it has processed them. One pass of a streaming inflate; while
 * zlib works, zero-length sleeps keep a virtual clock from jumping to a pending timeout.
 */
async function rawReached(p: Packed, block: number, clock: Clock): Promise<number[]> {
  const blocks = Math.ceil(p.body.length / block);
  if (!p.deflate) {
    return Array.from({ length: blocks }, (_, k) => Math.min(p.raw.length, (k + 1) * block));
  }
  const z = createInflate();
  let total = 0, failed = false;
  z.on("data", (c: Uint8Array) => total += c.length);
  z.on("error", () => failed = true);
  const out: number[] = [];
  try {
    for (let k = 0; k < blocks - 1; k++) {
      let flushed = false;
      z.write(p.body.subarray(k * block, (k + 1) * block));
      z.flush(constants.Z_SYNC_FLUSH, () => flushed = true);
      while (!flushed && !failed) await clock.sleep(0);
      // One more step lets 'data' events queued behind the flush callback run.
      await clock.sleep(0);
      // A stream zlib refuses proves nothing written: no checks inside this run.
      out.push(failed ? 0 : total);
    }
  } finally {
    z.destroy();
  }
  out.push(p.raw.length);
  return out;
}

/** What {@link writeRuns} needs of the session. */
export interface RunWriterSetup {
  readonly link: EspLink;
  readonly chip: EspChip;
  /** Data block size; the loader's own when absent. */
  readonly writeBlockSize?: number;
  /** Where the loader is up to in bytes programmed, for progress. */
  readonly progress: (bytes: number) => void;
}

/**
 * Writes `runs` (packed as {@link Packed}) through the running loader. With the stub, checks
 * from `queue` ride ahead of data blocks where they fit; the stub's FLASH_(DEFL_)END follows
 * the last run, as esptool sends it.
 */
export async function writeRuns(
  ctx: RunContext,
  s: RunWriterSetup,
  runs: readonly WriteRun[],
  packed: readonly Packed[],
  queue?: CheckQueue,
): Promise<void> {
  const stub = s.link.statusLen === 2;
  // Flash work the stub still has queued when a block starts out, ms.
  let backlog = 0;
  // ROM: checks sent behind the last command, whose answers are still to come.
  let due: AddressRange[] = [];
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i], p = packed[i];
    const block = s.writeBlockSize ?? (stub ? STUB_WRITE_BLOCK : s.chip.romWriteBlock);
    const { raw, body, deflate } = p;
    const blocks = Math.ceil(body.length / block);
    // The ROM takes the erase size; a stub the exact number of bytes it will receive.
    const size = stub ? raw.length : Math.ceil(raw.length / block) * block;
    const begin = request(
      deflate ? Op.FLASH_DEFL_BEGIN : Op.FLASH_BEGIN,
      beginRequest(size, blocks, block, run.address, s.chip.beginEncryptedWord && !stub),
      timeoutPerMb(ERASE_WRITE_MS_PER_MB, stub ? 0 : size),
    );
    const op = deflate ? Op.FLASH_DEFL_DATA : Op.FLASH_DATA;
    const perBlockRaw = Math.ceil(raw.length / blocks);
    const data = (seq: number): Request => {
      let chunk = body.subarray(seq * block, (seq + 1) * block);
      if (!deflate && chunk.length < block) {
        const padded = new Uint8Array(block).fill(0xff);
        padded.set(chunk);
        chunk = padded;
      }
      // The ROM writes before it acks, so a block may take its share of write time.
      return {
        op,
        packet: encodeDataBlock(op, seq, chunk),
        timeoutMs: timeoutPerMb(ERASE_WRITE_MS_PER_MB, perBlockRaw * 2),
      };
    };
    const inFlash = queue?.left.length ? await rawReached(p, block, ctx.clock) : [];
    const rawOf = (seq: number) =>
      Math.max(0, Math.min(perBlockRaw, raw.length - seq * perBlockRaw));
    // This run is in flash up to what its blocks so far inflate to, less what may still wait
    // in the loader's 32 KiB inflate output buffer; later runs not at all.
    const blockedAfter = (seq: number) => {
      const reached = seq ? inFlash[seq - 1] ?? 0 : 0;
      const done = run.address + Math.max(0, reached - INFLATE_BUFFER);
      return (r: AddressRange) =>
        (r.start < run.address + raw.length && r.end > done) ||
        runs.slice(i + 1).some((w) => w.address < r.end && r.start < w.address + w.data.length);
    };
    const baud = s.link.port.baudRate;
    for (let seq = 0; seq < blocks; seq++) {
      if (ctx.signal.aborted) throw new AbortedError({ cause: ctx.signal.reason });
      const req = data(seq);
      if (stub) {
        const checks = queue?.take(lineMs(req.packet.length, baud) - backlog, blockedAfter(seq)) ??
          [];
        // The stub is still programming the block before; its RX buffer holds the next.
        const reqs = [...checks.map(md5Of), ...(seq === 0 ? [begin] : []), req];
        const res = await s.link.pipeline(ctx, reqs, Infinity);
        queue?.record(checks, res.slice(0, checks.length).map((r) => decodeMd5(r.body)));
        backlog = flashWorkMs(rawOf(seq));
      } else {
        for (const r of seq === 0 ? [begin, req] : [req]) {
          // Before BEGIN nothing of this run is in flash; before a block, what those ahead hold.
          const blocked = blockedAfter(r === begin ? 0 : seq);
          const ahead = queue?.take(0.8 * lineMs(ROM_FIFO, baud), blocked, ROM_BEHIND) ?? [];
          const behind = ahead.map(md5Of);
          const { earlier } = await s.link.commandWith(ctx, r, behind, due.map(md5Of));
          queue?.record(due, earlier.map((x) => decodeMd5(x.body)));
          due = ahead;
        }
      }
      s.progress(rawOf(seq));
    }
  }
  if (due.length) {
    const res = await s.link.answers(ctx, due.map(md5Of));
    queue?.record(due, res.map((x) => decodeMd5(x.body)));
  }
  const last = packed[packed.length - 1];
  if (stub && last) {
    // The stub acks END once every block is in flash.
    await s.link.command(
      ctx,
      request(
        last.deflate ? Op.FLASH_DEFL_END : Op.FLASH_END,
        words(1),
        timeoutPerMb(ERASE_WRITE_MS_PER_MB, last.raw.length),
      ),
    );
  }
}
