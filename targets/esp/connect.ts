/**
 * Bringing up a session with an ESP ROM loader: reset into download mode, SYNC, detect the
 * chip, switch baud rate, attach the SPI flash, read its id and tell the ROM its size.
 *
 * @module
 */
import {
  DeviceError,
  type RunContext,
  type SerialPortLike,
  TimeoutError,
  UsageError,
} from "../../kernel/mod.ts";
import {
  chipById,
  chipByMagic,
  CHIPS,
  crystalMhz,
  type EspChip,
  flashSizeFromId,
  MAGIC_REG,
  SECTOR,
} from "./chips.ts";
import { EspUnsupportedError, WrongChipError } from "./errors.ts";
import { decodeMac } from "./efuse.ts";
import { DEFAULT_TIMEOUT, EspLink, type Request, request } from "./link.ts";
import { Op, SYNC_PAYLOAD, words } from "./protocol.ts";
import { parseSecurityInfo, SecurityFlag, type SecurityInfo } from "./security.ts";
import { classicReset, isUsbJtagSerial, runReset, usbJtagSerialReset } from "./reset.ts";

/** What {@link startSession} found out. */
export interface Session {
  /** The command channel. */
  readonly link: EspLink;
  /** Detected chip. */
  readonly chip: EspChip;
  /** Flash size in bytes (detected, configured or the chip default). */
  readonly flashSize: number;
  /** JEDEC id, when read. */
  readonly flashId?: number;
  /** True when a stub (not the ROM) answered SYNC. */
  readonly stub: boolean;
  /** Whether reset lines worked. */
  readonly resetWorked: boolean;
  /** The ROM reported Secure Download Mode: registers and MD5 are refused. */
  readonly secureDownload?: boolean;
  /** The factory MAC (`aa:bb:cc:dd:ee:ff`), read at connect as esptool does; absent in SDM. */
  readonly mac?: string;
}

/** Connect options this family understands (from `ConnectOptions` and target options). */
export interface SessionOptions {
  /** Target the user asked for. */
  readonly chip: EspChip;
  /** Baud rate to switch to after sync (115200 is kept when absent or equal). */
  readonly baud?: number;
  /** Flash size in bytes; skips detection. */
  readonly flashSize?: number;
  /** `default-reset` (default) or `no-reset` (just sync). */
  readonly before?: "default-reset" | "no-reset";
}

const ROM_BAUD = 115200;
const SYNC_TIMEOUT = 100;
const CONNECT_ATTEMPTS = 7;
const SYNCS_PER_ATTEMPT = 5;

async function sync(ctx: RunContext, link: EspLink): Promise<boolean | undefined> {
  for (let i = 0; i < SYNCS_PER_ATTEMPT; i++) {
    link.flushInput();
    await link.send(request(Op.SYNC, SYNC_PAYLOAD).packet);
    try {
      const deadline = ctx.clock.now() + SYNC_TIMEOUT;
      for (;;) {
        const frame = await link.nextFrame(ctx, Math.max(1, deadline - ctx.clock.now()));
        if (frame[0] !== 0x01 || frame[1] !== Op.SYNC || frame.length < 10) continue;
        // ROM replies carry 4 status bytes and a non-zero value; a running stub 2 and 0.
        const size = frame[2] | frame[3] << 8;
        return size === 2;
      }
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
    }
  }
  return undefined;
}

async function resetAndSync(
  ctx: RunContext,
  link: EspLink,
  opts: Pick<SessionOptions, "before"> & { readonly chip?: EspChip },
): Promise<{ stub: boolean; resetWorked: boolean }> {
  const usb = isUsbJtagSerial(link.port);
  let resetWorked = opts.before !== "no-reset";
  for (let attempt = 0; attempt < CONNECT_ATTEMPTS; attempt++) {
    if (resetWorked) {
      const steps = usb ? usbJtagSerialReset() : classicReset(attempt % 2 === 1);
      resetWorked = await runReset(ctx, link.port, steps);
    }
    const stub = await sync(ctx, link);
    if (stub !== undefined) return { stub, resetWorked };
  }
  const noise = link.takeNoise().trim();
  throw new TimeoutError(
    `no answer to SYNC from ${opts.chip?.name ?? "an ESP chip"} after ${CONNECT_ATTEMPTS} tries`,
    {
      hint: noise
        ? `the device printed "${
          noise.slice(-120)
        }"; it is not in download mode (hold BOOT, tap RESET)`
        : "check the port and cable; hold BOOT and tap RESET to enter download mode",
    },
  );
}

async function readReg(ctx: RunContext, link: EspLink, addr: number): Promise<number> {
  return (await link.command(ctx, request(Op.READ_REG, words(addr)))).value >>> 0;
}

/** GET_SECURITY_INFO, or undefined where the loader lacks it (ESP32) or the reply is short. */
async function querySecurity(ctx: RunContext, link: EspLink): Promise<SecurityInfo | undefined> {
  try {
    const r = await link.command(ctx, request(Op.GET_SECURITY_INFO, new Uint8Array(0)));
    return parseSecurityInfo(r.body);
  } catch (e) {
    if (!(e instanceof EspUnsupportedError || e instanceof TimeoutError)) throw e;
    // The ROM repeats its rejection; swallow the repeats before the next command.
    await link.drain(ctx, 20);
    return undefined;
  }
}

/** The magic register, or undefined when the ROM refuses READ_REG (Secure Download Mode). */
async function readMagic(ctx: RunContext, link: EspLink): Promise<number | undefined> {
  try {
    return await readReg(ctx, link, MAGIC_REG);
  } catch (e) {
    if (!(e instanceof EspUnsupportedError)) throw e;
    await link.drain(ctx, 20);
    return undefined;
  }
}

/** What {@link detect} found. */
interface Detected {
  readonly chip: EspChip;
  /** The ROM is in Secure Download Mode: no register access, no MD5. */
  readonly secureDownload: boolean;
}

async function detect(ctx: RunContext, link: EspLink, expected?: EspChip): Promise<Detected> {
  // Ask the way the expected chip answers first, so the usual case costs one round trip.
  let sec = expected?.securityInfo !== false ? await querySecurity(ctx, link) : undefined;
  let chip = sec?.chipId !== undefined ? chipById(sec.chipId) : undefined;
  let magic: number | undefined;
  let refused = false;
  if (!chip) {
    magic = await readMagic(ctx, link);
    refused = magic === undefined;
    if (magic !== undefined) chip = chipByMagic(magic);
  }
  if (!chip && !sec) {
    sec = await querySecurity(ctx, link);
    if (sec?.chipId !== undefined) chip = chipById(sec.chipId);
  }
  // A refused READ_REG and a security reply without a chip id: an ESP32-S2 in Secure Download
  // Mode (esptool's rule, reference §2.3).
  if (!chip && refused && sec && sec.chipId === undefined) chip = CHIPS.esp32s2;
  if (!chip) {
    throw new DeviceError(
      `unknown ESP chip (magic 0x${(magic ?? 0).toString(16).padStart(8, "0")})`,
      { hint: "supported: ESP32, ESP32-S2, -S3, -C2, -C3, -C6, -H2" },
    );
  }
  if (expected && chip.target !== expected.target) {
    throw new WrongChipError(expected.target, chip.name);
  }
  const secureDownload = !!sec && (sec.flags & SecurityFlag.SECURE_DOWNLOAD_ENABLE) !== 0;
  return { chip, secureDownload };
}

/** Detects the chip: GET_SECURITY_INFO where the ROM has it, else the magic register. */
export async function detectChip(
  ctx: RunContext,
  link: EspLink,
  expected: EspChip,
): Promise<EspChip> {
  return (await detect(ctx, link, expected)).chip;
}

/** Reads the JEDEC id with RDID (0x9F) through the SPI user-command registers. */
export async function readFlashId(ctx: RunContext, link: EspLink, chip: EspChip): Promise<{
  id: number;
  restore: Request[];
}> {
  const s = chip.spi;
  const wr = (a: number, v: number) => request(Op.WRITE_REG, words(a, v, 0xffffffff, 0));
  const rd = (a: number) => request(Op.READ_REG, words(a));
  const SPI_USR_COMMAND = 1 << 31, SPI_USR_MISO = 1 << 28, SPI_CMD_USR = 1 << 18;
  const r = await link.pipeline(ctx, [
    attach(link),
    rd(s.base + s.usr),
    rd(s.base + s.usr2),
    wr(s.base + s.misoDlen, 24 - 1),
    wr(s.base + s.usr, SPI_USR_COMMAND | SPI_USR_MISO),
    wr(s.base + s.usr2, (7 << 28) | 0x9f),
    wr(s.base + s.w0, 0),
    wr(s.base, SPI_CMD_USR),
    rd(s.base),
    rd(s.base + s.w0),
  ]);
  let cmd = r[8].value, w0 = r[9].value;
  for (let i = 0; cmd & SPI_CMD_USR; i++) {
    if (i >= 10) {
      throw new DeviceError("the SPI flash did not finish RDID", { hint: "check flash wiring" });
    }
    cmd = await readReg(ctx, link, s.base);
    if (!(cmd & SPI_CMD_USR)) w0 = await readReg(ctx, link, s.base + s.w0);
  }
  return {
    id: w0 & 0xffffff,
    restore: [wr(s.base + s.usr, r[1].value), wr(s.base + s.usr2, r[2].value)],
  };
}

/** SPI_ATTACH with the default pins; the ROM wants an extra word (is_legacy = 0). */
function attach(link: EspLink): Request {
  return request(Op.SPI_ATTACH, link.statusLen === 4 ? words(0, 0) : words(0));
}

/** SPI_SET_PARAMS: id 0, size, 64 KiB block, 4 KiB sector, 256 B page, status mask. */
export function setParams(size: number): Request {
  return request(Op.SPI_SET_PARAMS, words(0, size, 0x10000, SECTOR, 0x100, 0xffff));
}

/**
 * Resets into the loader, syncs and names the chip, expecting none (a run without
 * `--target`, as esptool and espflash detect). Releases the link; the caller closes the port.
 */
export async function identifyChip(
  ctx: RunContext,
  port: SerialPortLike,
  before?: "default-reset" | "no-reset",
): Promise<EspChip> {
  const link = new EspLink(port);
  try {
    const { stub } = await resetAndSync(ctx, link, { before });
    if (stub) link.statusLen = 2;
    return (await detect(ctx, link)).chip;
  } finally {
    await link.close();
  }
}

/** Opens a ROM session on an already-open port. */
export async function startSession(
  ctx: RunContext,
  port: SerialPortLike,
  opts: SessionOptions,
): Promise<Session> {
  const link = new EspLink(port);
  try {
    const { stub, resetWorked } = await resetAndSync(ctx, link, opts);
    if (stub) link.statusLen = 2;
    const { chip, secureDownload } = await detect(ctx, link, opts.chip);
    if (opts.baud && opts.baud !== port.baudRate) {
      if (!Number.isInteger(opts.baud) || opts.baud < 9600) {
        throw new UsageError(`invalid baud rate ${opts.baud}`, { hint: "e.g. --baud 921600" });
      }
      let rate = opts.baud;
      // In Secure Download Mode the divider cannot be read; a 40 MHz crystal is assumed.
      if (chip.uartClkdivReg !== undefined && !stub && !secureDownload) {
        const xtal = crystalMhz(await readReg(ctx, link, chip.uartClkdivReg), port.baudRate);
        if (Math.abs(xtal - 26) < Math.abs(xtal - 40)) rate = Math.round(rate * 40 / 26);
      }
      // The ROM takes 0 as the old rate; a stub wants the real one.
      await link.command(
        ctx,
        request(Op.CHANGE_BAUDRATE, words(rate, stub ? port.baudRate : 0)),
      );
      await port.setBaudRate(opts.baud);
      await ctx.clock.sleep(50, ctx.signal);
      link.flushInput();
    }
    let flashSize = opts.flashSize;
    let flashId: number | undefined;
    let tail: Request[] = [];
    if (flashSize === undefined && secureDownload) {
      flashSize = chip.defaultFlashSize;
      ctx.log.warn(
        `${chip.name} is in Secure Download Mode: the flash id cannot be read; assuming ${
          flashSize >> 20
        } MB`,
      );
    }
    if (flashSize === undefined) {
      const got = await readFlashId(ctx, link, chip);
      flashId = got.id;
      tail = got.restore;
      flashSize = flashSizeFromId(got.id);
      if (flashSize === undefined) {
        ctx.log.warn(
          `unknown flash id 0x${got.id.toString(16)}; assuming ${chip.defaultFlashSize >> 20} MB`,
        );
        flashSize = chip.defaultFlashSize;
      }
    } else tail = [attach(link)];
    // Without SPI_SET_PARAMS the ROM assumes 2 MB and fails above it. The MAC's eFuse words
    // ride in the same exchange (esptool reads the MAC at every connect too).
    const macAt = secureDownload ? [] : [chip.efuse.mac, chip.efuse.mac + 4];
    const r = await link.pipeline(ctx, [
      ...tail,
      setParams(flashSize),
      ...macAt.map((a) => request(Op.READ_REG, words(a))),
    ]);
    const mac = macAt.length
      ? decodeMac(chip.efuse, new Map(macAt.map((a, i) => [a, r[tail.length + 1 + i].value >>> 0])))
      : undefined;
    return { link, chip, flashSize, flashId, stub, resetWorked, secureDownload, mac };
  } catch (e) {
    await link.close();
    throw e;
  }
}

/** The baud rate a ROM session starts at. */
export const INITIAL_BAUD = ROM_BAUD;
export { DEFAULT_TIMEOUT };
