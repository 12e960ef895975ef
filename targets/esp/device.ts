/**
 * The ESP flash session: device-side MD5 of any range, compressed programming through the
 * ROM (or the flasher stub when the modelled write time says it pays), link counters.
 * FLASH_(DEFL_)BEGIN erases whole 4 KiB sectors, so bytes of a partly covered sector that the
 * image leaves out become 0xFF: the target's default partial-block policy is `fill`. The ROM
 * has no fast readback (READ_FLASH_SLOW is 64 bytes a round trip); `keep` reads through the
 * stub's READ_FLASH instead.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import {
  type AddressRange,
  type CostModel,
  createContext,
  DeviceError,
  type DeviceInfo,
  digestsEqual,
  type FlashDevice,
  type FlashLayout,
  type LinkStats,
  type ProgramOptions,
  type ProgramResult,
  type RunContext,
  type SerialPortLike,
  UsageError,
  type WriteRun,
} from "../../kernel/mod.ts";
import { SECTOR } from "./chips.ts";
import { pack, type Packed, stubMayPay, stubPays, writeMs as espWriteMs } from "./write.ts";
import { CheckQueue, writeRuns } from "./run_writer.ts";
import { batchMs, espCostModel, type HashCostHint, lineMs } from "./cost.ts";
import type { HashStrategy } from "./options.ts";
import { INITIAL_BAUD, type Session, setParams } from "./connect.ts";
import { DEFAULT_TIMEOUT, type Request, request, timeoutPerMb } from "./link.ts";
import { beginRequest, decodeMd5, md5Request, Op, words } from "./protocol.ts";
import {
  loadStubImage,
  runStub,
  STUB_WRITE_BLOCK,
  type StubImage,
  stubUploadBytes,
} from "./stub.ts";
import { hardReset, isUsbJtagSerial, runReset } from "./reset.ts";
import { readChipFacts } from "./describe.ts";

/** Stub-only ERASE_REGION and READ_FLASH. */
const ERASE_REGION = 0xd1, READ_FLASH = 0xd2;

/** esptool's per-MB timeouts. */
const MD5_MS_PER_MB = 8000;
const ERASE_WRITE_MS_PER_MB = 40000;

/** Options for {@link EspDevice}. */
export interface EspDeviceOptions {
  /** Compress writes with deflate when it shrinks them (default true). */
  readonly compress?: boolean;
  /** Block size of FLASH_(DEFL_)DATA; the chip's ROM FLASH_WRITE_SIZE by default. */
  readonly writeBlockSize?: number;
  /** USB-serial bridge latency per direction assumed by the cost model, ms (default 1: one
   * USB full-speed frame; FTDI bridges default to 16). */
  readonly latencyMs?: number;
  /**
   * After the session: `hard-reset` runs the application (esptool's and espflash's CLI
   * default); `no-reset` (default here) leaves the chip in its ROM loader, first leaving a
   * running flasher stub with FLASH_BEGIN(0, 0) + FLASH_END(reboot) as esptool's and
   * espflash's no-reset do; `no-reset-no-stub` leaves the stub running for the next session.
   * {@link EspDevice.reset} resets on request.
   */
  readonly after?: "hard-reset" | "no-reset" | "no-reset-no-stub";
  /** Flasher stub: `"auto"` (when the modelled write time says so), `true`, `false`. */
  readonly stub?: boolean | "auto";
  /** How the queryHashes stage asks this device for hashes (default `auto`). */
  readonly hashStrategy?: HashStrategy;
}

/** An open ESP ROM loader session as a {@link FlashDevice}. */
export class EspDevice implements FlashDevice {
  #details: Record<string, string>;
  readonly layout: FlashLayout;
  readonly hashAlgorithms: readonly string[] = ["md5"];
  readonly hashGranularity = "any" as const;
  readonly #s: Session;
  readonly #opts: EspDeviceOptions;
  #stubRunning = false;
  #packed: { runs: readonly WriteRun[]; packed: Packed[] } | undefined;
  #handedOver = false;
  readonly #ctx: RunContext;
  #stubImage: StubImage | undefined;

  /** `ctx` is the connecting run's context; close() uses its clock for the reset pulse. */
  constructor(session: Session, options: EspDeviceOptions = {}, ctx?: RunContext) {
    this.#ctx = ctx ?? createContext();
    this.#s = session;
    this.#opts = options;
    const { flashSize, flashId } = session;
    this.#details = {
      loader: session.stub ? "stub" : "ROM",
      flash: flashSize >= 1 << 20 ? `${flashSize / (1 << 20)} MB` : `${flashSize / 1024} KB`,
      ...(flashId !== undefined
        ? { "flash id": `0x${flashId.toString(16).padStart(6, "0")}` }
        : {}),
      baud: String(session.link.port.baudRate),
    };
    this.layout = {
      regions: [{ name: "flash", start: 0, size: flashSize, blockSize: SECTOR, erasedValue: 0xff }],
    };
  }

  /** How the queryHashes stage asks this device for hashes. */
  get hashStrategy(): HashStrategy {
    return this.#opts.hashStrategy ?? "auto";
  }

  /** Chip identity and session facts. */
  get info(): DeviceInfo {
    return { chip: this.#s.chip.name, details: { ...this.#details } };
  }

  /**
   * Identity with revision, MAC and security flags, read now (a few register reads and
   * GET_SECURITY_INFO); later {@link info} includes them too.
   */
  async describe(ctx: RunContext): Promise<DeviceInfo> {
    const facts = await readChipFacts(ctx, this.#s.link, this.#s.chip);
    const { revision, MAC, security } = facts;
    this.#details = { revision, MAC, package: facts.package, ...this.#details, security };
    return this.info;
  }

  /** `chip:MAC`, the MAC read at connect; undefined where the loader would not say. */
  identify(): Promise<string | undefined> {
    const mac = this.#s.mac;
    return Promise.resolve(mac ? `${this.#s.chip.target}:${mac}` : undefined);
  }

  /** Cost model at the current line rate. */
  costModel(): CostModel {
    return espCostModel(this.#s.chip, this.#s.link.port.baudRate, this.#opts.latencyMs ?? 1);
  }

  /**
   * The line rate when it is the ROM's 115200 on a link where a higher one would help (not
   * Espressif's USB-Serial-JTAG, where the rate means nothing); undefined otherwise.
   */
  get slowLineBaud(): number | undefined {
    const port = this.#s.link.port;
    return port.baudRate <= 115200 && !isUsbJtagSerial(port) ? port.baudRate : undefined;
  }

  /**
   * The cost model for the plan estimate: the write of the plan's runs modelled as
   * {@link program} will do it (deflated as it will send them, through the ROM or the stub by
   * the same rule), and the verify as one pipelined MD5 batch over the runs.
   */
  async planCostModel(
    runs: readonly WriteRun[],
    unconfirmed: readonly WriteRun[] = [],
  ): Promise<CostModel> {
    const packed = this.#packedFor(runs);
    const link = { baud: this.#s.link.port.baudRate, latencyMs: this.#turnaroundMs() };
    // Verify asks for what is left with neighbours merged: one request per contiguous range.
    const checked: number[] = [];
    let end = -1;
    for (const r of [...runs, ...unconfirmed].sort((a, b) => a.address - b.address)) {
      if (r.address === end) checked[checked.length - 1] += r.data.length;
      else checked.push(r.data.length);
      end = r.address + r.data.length;
    }
    const checkMs = checked.reduce((a, b) => a + b, 0) / this.#s.chip.md5BytesPerMs;
    const stub = this.#stubRunning || await this.#stubPays(packed, checkMs)
      ? { running: this.#stubRunning, uploadBytes: stubUploadBytes(this.#stubImage!) }
      : undefined;
    const { writeMs, verifyMs } = espWriteMs(packed, this.#s.chip, link, stub, checkMs);
    const hashCost = this.hashCost;
    // What hashing is left for verify, as one pipelined batch over the checked ranges.
    const share = checkMs ? verifyMs / checkMs : 0;
    return {
      ...this.costModel(),
      writeMs: () => writeMs,
      verifyMs: () => share ? batchMs(hashCost, checked.map((n) => n * share)) : 0,
    };
  }

  /** Each run packed once, whether for the estimate or the write of the same bytes. */
  #packedFor(runs: readonly WriteRun[]): Packed[] {
    const last = this.#packed;
    const same = last && last.runs.length === runs.length &&
      last.runs.every((r, i) =>
        r.address === runs[i].address && Buffer.compare(r.data, runs[i].data) === 0
      );
    if (!same) {
      this.#packed = { runs, packed: runs.map((r) => pack(r.data, this.#opts.compress !== false)) };
    }
    return this.#packed!.packed;
  }

  /** Line time of `bytes` at the current rate, ms. */
  lineMs(bytes: number): number {
    return lineMs(bytes, this.#s.link.port.baudRate);
  }

  /** Turnaround of one exchange: the bridge latency in each direction. */
  #turnaroundMs(): number {
    return 2 * (this.#opts.latencyMs ?? 1);
  }

  /** Figures for planning hash requests at the current baud rate and loader. */
  get hashCost(): HashCostHint {
    const link = this.#s.link;
    // SLIP frames: an 8-byte header around 16 bytes of request; the ROM answers 32 hex
    // characters and 4 status bytes, a stub 16 raw bytes and 2 (reference §0.3).
    const request = 8 + 16 + 2;
    const reply = link.statusLen === 4 ? 8 + 32 + 4 + 2 : 8 + 16 + 2 + 2;
    return {
      requestMs: this.lineMs(Math.max(request, reply)),
      requestWireMs: this.lineMs(request),
      replyWireMs: this.lineMs(reply),
      inFlight: 1 + Math.floor(link.rxBuffer / request),
      msPerByte: 1 / this.#s.chip.md5BytesPerMs,
      latencyMs: this.#turnaroundMs(),
      // Code deflates to ~60 %; erase amortised over 64 KiB blocks plus page programming.
      sectorWriteMs: this.lineMs(0.6 * SECTOR) + 20,
      byteMs: this.lineMs(1),
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
    if (this.#s.secureDownload) {
      throw new DeviceError(
        `${this.#s.chip.name} is in Secure Download Mode, whose ROM refuses SPI_FLASH_MD5`,
        { hint: "flash contents cannot be compared or verified through this ROM" },
      );
    }
    const reqs: Request[] = ranges.map((r) => {
      const size = r.end - r.start;
      return request(
        Op.SPI_FLASH_MD5,
        md5Request(r.start, size),
        timeoutPerMb(MD5_MS_PER_MB, size),
      );
    });
    // Device hashing of a large region takes seconds: report it like writing.
    const sizes = ranges.map((r) => r.end - r.start);
    const total = sizes.reduce((a, b) => a + b, 0);
    let done = 0;
    const res = await this.#s.link.pipeline(ctx, reqs, undefined, (answered) => {
      done += sizes[answered - 1];
      ctx.emit({ type: "progress", stage: "queryHashes", done, total, unit: "bytes" });
    });
    return res.map((r) => decodeMd5(r.body));
  }

  async program(
    ctx: RunContext,
    runs: readonly WriteRun[],
    options?: ProgramOptions,
  ): Promise<ProgramResult> {
    for (const run of runs) {
      if (run.address % SECTOR || run.data.length % SECTOR) {
        throw new DeviceError(`write run at 0x${run.address.toString(16)} is not sector-aligned`);
      }
    }
    const packed = this.#packedFor(runs);
    const checks = options?.algorithm === "md5" ? options.checks : [];
    const checkMs = checks.reduce((n, r) => n + r.end - r.start, 0) / this.#s.chip.md5BytesPerMs;
    if (!this.#stubRunning && await this.#stubPays(packed, checkMs)) await this.#startStub(ctx);
    const total = runs.reduce((n, r) => n + r.data.length, 0);
    let done = 0;
    const queue = new CheckQueue(checks, 1 / this.#s.chip.md5BytesPerMs);
    await writeRuns(
      ctx,
      {
        link: this.#s.link,
        chip: this.#s.chip,
        writeBlockSize: this.#opts.writeBlockSize,
        progress: (n) => {
          done += n;
          ctx.emit({ type: "progress", stage: "write", done, total, unit: "bytes" });
        },
      },
      runs,
      packed,
      queue,
    );
    return { hashed: queue.hashed };
  }

  async #startStub(ctx: RunContext): Promise<void> {
    await runStub(ctx, this.#s.link, this.#stubImage!);
    // esp-flasher-stub bounds writes by the size it was told; tell it, as esptool does.
    await this.#s.link.command(ctx, setParams(this.#s.flashSize));
    this.#stubRunning = true;
    this.#details.loader = "stub";
  }

  /**
   * Reads flash with the stub's READ_FLASH (the ROM has only 64-byte READ_FLASH_SLOW), for the
   * `keep` partial-block policy: starts the stub if needed; data frames are acknowledged with
   * the running byte count and the transfer ends with the stub's MD5 of what it sent.
   */
  async read(ctx: RunContext, address: number, length: number): Promise<Uint8Array> {
    const link = this.#s.link;
    if (!this.#stubRunning && !this.#s.stub) {
      if (this.#opts.stub !== false) this.#stubImage ??= await loadStubImage(this.#s.chip);
      if (!this.#stubImage) {
        throw new DeviceError("reading flash needs the flasher stub, which is not available", {
          hint: "use --partial fill (FLASH_BEGIN erases whole sectors anyway)",
        });
      }
      await this.#startStub(ctx);
    }
    await link.command(ctx, request(READ_FLASH, words(address, length, SECTOR, 64)));
    const out = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const frame = await link.nextFrame(ctx, DEFAULT_TIMEOUT);
      if (!frame.length || got + frame.length > length) {
        throw new DeviceError("READ_FLASH sent a malformed data frame", { hint: "retry" });
      }
      out.set(frame, got);
      got += frame.length;
      await link.send(words(got));
    }
    const digest = await link.nextFrame(ctx, DEFAULT_TIMEOUT);
    if (!digestsEqual(digest, new Uint8Array(createHash("md5").update(out).digest()))) {
      throw new DeviceError(`read of 0x${address.toString(16)}+${length} failed its MD5 check`, {
        hint: "retry; lower the baud rate if it persists",
      });
    }
    return out;
  }

  /** Modelled ROM vs stub write time; loads the stub image only when it would pay off. */
  async #stubPays(packed: readonly Packed[], checkMs = 0): Promise<boolean> {
    const mode = this.#opts.stub ?? "auto";
    if (mode === false || this.#s.stub) return false;
    const link = { baud: this.#s.link.port.baudRate, latencyMs: this.#turnaroundMs() };
    if (mode === "auto" && !stubMayPay(packed, this.#s.chip, link, checkMs)) return false;
    this.#stubImage ??= await loadStubImage(this.#s.chip);
    if (!this.#stubImage) return false;
    return mode === true ||
      stubPays(packed, this.#s.chip, link, stubUploadBytes(this.#stubImage), checkMs);
  }

  /**
   * Leaves the flasher stub without a reset: FLASH_BEGIN(0, 0), then FLASH_END with the reboot
   * flag (word 0), as esptool's `soft_reset(stay_in_bootloader=True)`. The stub answers and
   * restarts the chip, which comes back in the ROM loader while its strapping pins still
   * select download mode (and runs the application otherwise).
   */
  async leaveStub(ctx: RunContext): Promise<void> {
    const { link } = this.#s;
    await link.command(
      ctx,
      request(Op.FLASH_BEGIN, beginRequest(0, 0, STUB_WRITE_BLOCK, 0, false)),
    );
    await link.command(ctx, request(Op.FLASH_END, words(0)));
    this.#stubRunning = false;
    this.#details.loader = "ROM";
  }

  /** Restarts the chip into its application (when the port carries modem lines). */
  async reset(ctx: RunContext): Promise<void> {
    await runReset(ctx, this.#s.link.port, hardReset(isUsbJtagSerial(this.#s.link.port)));
  }

  /**
   * Erases sector-aligned ranges: ERASE_REGION with the stub; with the ROM, FLASH_BEGIN with
   * no data blocks, which erases the sectors it names before it answers.
   */
  async erase(ctx: RunContext, ranges: readonly AddressRange[]): Promise<void> {
    const { link, chip } = this.#s;
    const stub = link.statusLen === 2;
    for (const r of ranges) {
      const size = r.end - r.start;
      if (r.start % SECTOR || size % SECTOR) {
        throw new UsageError(`erase range 0x${r.start.toString(16)}+${size} is not sector-aligned`);
      }
      const timeoutMs = timeoutPerMb(ERASE_WRITE_MS_PER_MB, size);
      await link.command(
        ctx,
        stub ? request(ERASE_REGION, words(r.start, size), timeoutMs) : request(
          Op.FLASH_BEGIN,
          beginRequest(size, 0, chip.romWriteBlock, r.start, chip.beginEncryptedWord),
          timeoutMs,
        ),
      );
    }
  }

  /** Resets into the application and hands over the port at the ROM's console rate. */
  async monitor(ctx: RunContext): Promise<SerialPortLike> {
    const port = this.#s.link.port;
    this.#handedOver = true;
    await this.#s.link.close();
    if (port.baudRate !== INITIAL_BAUD) await port.setBaudRate(INITIAL_BAUD);
    await this.reset(ctx);
    return port;
  }

  stats(): LinkStats {
    return this.#s.link.stats();
  }

  /**
   * Ends the session: with `after: "hard-reset"` restarts the chip into its application; with
   * `no-reset` a running stub is left for the ROM loader first (see {@link leaveStub}).
   */
  async close(): Promise<void> {
    if (this.#handedOver) return await this.#s.link.port.close();
    this.#handedOver = true;
    if ((this.#opts.after ?? "no-reset") === "no-reset" && this.#s.link.statusLen === 2) {
      await this.leaveStub(this.#ctx).catch((e) =>
        this.#ctx.log.warn(`the flasher stub is still running: ${(e as Error).message}`)
      );
    }
    await this.#s.link.close();
    if (this.#opts.after === "hard-reset") {
      // Nothing talks to the chip afterwards, so no settling wait after the pulse.
      await runReset(
        this.#ctx,
        this.#s.link.port,
        hardReset(isUsbJtagSerial(this.#s.link.port), false),
      )
        .catch(() => {});
    }
    await this.#s.link.port.close();
  }
}
