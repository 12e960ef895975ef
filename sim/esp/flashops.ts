/**
 * Flash commands: FLASH_BEGIN/DATA/END, their compressed twins, SPI_FLASH_MD5, and the
 * stub-only ERASE_FLASH, ERASE_REGION and READ_FLASH. The ROM erases the whole region at
 * BEGIN and writes each block before acknowledging it; the stub erases just in time (skipping
 * sectors that are already blank) and writes after acknowledging, overlapping the next block.
 *
 * @module
 */
import { SECTOR_SIZE } from "./flash.ts";
import { BlockInflater } from "./inflate.ts";
import type { LoaderHost, LoaderState, WriteSession } from "./loader_host.ts";
import type { Outcome } from "./outcome.ts";
import { checksum, hex, type Request, word } from "./protocol.ts";
import { chipEraseMs, inflateMs, md5Ms, programMs, rangeEraseMs } from "./timing.ts";

/** Largest block the stub accepts (legacy stub MAX_WRITE_BLOCK; reference §2.2). */
export const STUB_MAX_BLOCK = 0x4000;
/** Largest READ_FLASH packet esp-flasher-stub accepts (its 4 KiB read buffer). */
export const STUB_MAX_READ_PACKET = 0x1000;
/** Packets esp-flasher-stub sends ahead of the host's acknowledgements. */
export const STUB_UNACKED_PACKETS = 2;

function inFlash(h: LoaderHost, s: LoaderState, addr: number, len: number): boolean {
  return addr >= 0 && len >= 0 && addr + len <= Math.min(s.flashLimit, h.flash.size);
}

/** FLASH_BEGIN (deflate=false) or FLASH_DEFL_BEGIN (deflate=true). */
export function flashBegin(
  h: LoaderHost,
  s: LoaderState,
  req: Request,
  deflate: boolean,
): Outcome {
  if (req.data.length !== 16 && req.data.length !== 20) return { fault: "length" };
  const [size, numBlocks, blockSize, offset] = [0, 1, 2, 3].map((i) => word(req.data, i));
  s.write?.inflater?.close();
  s.write = undefined;
  if (s.stub && blockSize > STUB_MAX_BLOCK) return { fault: "blocksize" };
  if (!s.stub && !s.attached) return { fault: "flashWrite" };
  if (!inFlash(h, s, offset, size)) return { fault: "flashWrite" };
  const session: WriteSession = {
    deflate,
    offset,
    total: size,
    blockSize,
    numBlocks,
    nextSeq: 0,
    written: 0,
    inflater: deflate ? new BlockInflater() : undefined,
    erased: new Set(),
  };
  s.write = session;
  if (s.stub || size === 0) return {};
  // The ROM erases every sector the region touches before it answers.
  const first = Math.floor(offset / SECTOR_SIZE);
  const count = h.flash.eraseRange(offset, size);
  return { preMs: rangeEraseMs(first, count) };
}

/** The stub's just-in-time erase: erase untouched, non-blank sectors under [addr, addr+len). */
function eraseAhead(h: LoaderHost, w: WriteSession, addr: number, len: number): number {
  if (len <= 0) return 0;
  let ms = 0;
  const last = Math.floor((addr + len - 1) / SECTOR_SIZE);
  for (let sec = Math.floor(addr / SECTOR_SIZE); sec <= last; sec++) {
    if (w.erased.has(sec)) continue;
    const regionEnd = w.offset + w.total;
    const blockFits = sec % 16 === 0 && (sec + 16) * SECTOR_SIZE <= regionEnd;
    const span = blockFits ? 16 : 1;
    let dirty = false;
    for (let k = 0; k < span; k++) {
      w.erased.add(sec + k);
      if (!h.flash.sectorBlank((sec + k) * SECTOR_SIZE)) dirty = true;
    }
    if (!dirty) continue; // esp-flasher-stub skips erasing blank sectors (PR #95)
    for (let k = 0; k < span; k++) h.flash.eraseSector((sec + k) * SECTOR_SIZE);
    ms += rangeEraseMs(sec, span);
  }
  return ms;
}

/** The stub's deflate output buffer. */
const STUB_INFLATE_BUFFER = 0x8000;

/** FLASH_DATA or FLASH_DEFL_DATA. */
export async function flashData(
  h: LoaderHost,
  s: LoaderState,
  req: Request,
  deflate: boolean,
): Promise<Outcome> {
  const w = s.write;
  if (req.data.length < 16) return { fault: deflate ? "length" : "shortHeader" };
  const len = word(req.data, 0);
  const seq = word(req.data, 1);
  const block = req.data.subarray(16);
  if (!w || w.deflate !== deflate) return { fault: "notInFlashMode" };
  if (block.length !== len) return { fault: "dataLength" };
  if (checksum(block) !== req.checksum) return { fault: "checksum" };
  // The ROM checks the sequence number; esp-flasher-stub just writes at its write pointer.
  if (!s.stub && seq !== w.nextSeq) return { fault: "sequence" };

  let payload = block;
  let addr: number;
  let cpuMs = 0;
  if (deflate) {
    try {
      payload = await w.inflater!.push(block, h.clock);
    } catch {
      return { fault: "inflate" };
    }
    cpuMs = inflateMs(payload.length);
    const held = w.held?.length ?? 0;
    if (w.written + held + payload.length > w.total) return { fault: "tooMuchData" };
    if (s.stub) {
      // esp-flasher-stub collects inflated bytes in a 32 KiB output buffer and writes them
      // when it is full or the stream is complete (reference notes §2.5).
      const all = new Uint8Array(held + payload.length);
      if (w.held) all.set(w.held);
      all.set(payload, held);
      if (all.length < STUB_INFLATE_BUFFER && w.written + all.length < w.total) {
        w.held = all;
        w.nextSeq++;
        return { postMs: cpuMs };
      }
      w.held = undefined;
      payload = all;
    }
    addr = w.offset + w.written;
  } else if (s.stub) {
    payload = block.subarray(0, Math.max(0, w.total - w.written));
    addr = w.offset + w.written;
  } else {
    addr = w.offset + seq * w.blockSize;
  }
  if (!inFlash(h, s, addr, payload.length)) return { fault: "flashWrite" };
  const eraseMs = s.stub ? eraseAhead(h, w, addr, payload.length) : 0;
  const pages = h.flash.program(addr, payload);
  w.written += payload.length;
  w.nextSeq++;
  const work = cpuMs + eraseMs + programMs(pages);
  return s.stub ? { postMs: work } : { preMs: work };
}

/** FLASH_END or FLASH_DEFL_END: word 0 is 0 to reboot, 1 to run the app / stay. */
export function flashEnd(h: LoaderHost, s: LoaderState, req: Request, deflate: boolean): Outcome {
  if (req.data.length !== 4) return { fault: "length" };
  const runApp = word(req.data, 0) !== 0;
  const w = s.write;
  if (s.stub) {
    // esp-flasher-stub refuses to end a write that has not received all its data.
    if (!w || w.deflate !== deflate) return { fault: "notInFlashMode" };
    if (w.written < w.total) return { fault: "length" };
  }
  w?.inflater?.close();
  s.write = undefined;
  // The ROM leaves the loader on either flag; the stub only on reboot.
  if (s.stub && runApp) return {};
  return { after: () => h.leave(runApp) };
}

/** SPI_FLASH_MD5: ROM answers 32 lower-case hex characters, the stub 16 raw bytes. */
export function flashMd5(h: LoaderHost, s: LoaderState, req: Request): Outcome {
  if (req.data.length !== 16) return { fault: "length" };
  const addr = word(req.data, 0);
  const size = word(req.data, 1);
  if (!s.stub && !s.attached) return { fault: "flashRead" };
  if (!inFlash(h, s, addr, size)) return { fault: "flashRead" };
  const digest = h.flash.md5(addr, size);
  const data = s.stub ? digest : new TextEncoder().encode(hex(digest));
  return { data, preMs: md5Ms(size) };
}

/** ERASE_FLASH (stub). */
export function eraseFlash(h: LoaderHost): Outcome {
  h.flash.eraseAll();
  return { preMs: chipEraseMs(h.flash.size) };
}

/** ERASE_REGION (stub): offset and size must be whole sectors. */
export function eraseRegion(h: LoaderHost, s: LoaderState, req: Request): Outcome {
  if (req.data.length !== 8) return { fault: "length" };
  const offset = word(req.data, 0);
  const size = word(req.data, 1);
  if (offset % SECTOR_SIZE || size % SECTOR_SIZE) return { fault: "length" };
  if (!inFlash(h, s, offset, size)) return { fault: "flashWrite" };
  const count = h.flash.eraseRange(offset, size);
  return { preMs: rangeEraseMs(offset / SECTOR_SIZE, count) };
}

/** READ_FLASH (stub): the reply, then data frames paced by the host's acknowledgements. */
export function readFlash(h: LoaderHost, s: LoaderState, req: Request): Outcome {
  if (req.data.length !== 16) return { fault: "length" };
  const [offset, length, packetSize, maxInFlight] = [0, 1, 2, 3].map((i) => word(req.data, i));
  if (packetSize === 0 || packetSize > STUB_MAX_READ_PACKET) return { fault: "length" };
  if (!inFlash(h, s, offset, length)) return { fault: "flashRead" };
  s.read = { offset, length, packetSize, maxInFlight, sent: 0, acked: 0 };
  return { after: () => pumpRead(h, s) };
}

/** Handles a 4-byte acknowledgement frame of READ_FLASH; false if it was not one. */
export function readAck(h: LoaderHost, s: LoaderState, frame: Uint8Array): boolean {
  if (!s.read || frame.length !== 4) return false;
  s.read.acked = word(frame, 0);
  pumpRead(h, s);
  return true;
}

function pumpRead(h: LoaderHost, s: LoaderState): void {
  const r = s.read;
  if (!r) return;
  // esp-flasher-stub ignores the host's max_in_flight and keeps 2 packets unacknowledged.
  while (r.sent < r.length && r.sent - r.acked < STUB_UNACKED_PACKETS * r.packetSize) {
    const n = Math.min(r.packetSize, r.length - r.sent);
    h.sendFrame(h.flash.read(r.offset + r.sent, n));
    r.sent += n;
  }
  if (r.acked >= r.length) {
    s.read = undefined;
    h.sendFrame(h.flash.md5(r.offset, r.length));
  }
}

/** READ_FLASH_SLOW (ROM): up to 64 bytes, always answered as 64. */
export function readFlashSlow(h: LoaderHost, s: LoaderState, req: Request): Outcome {
  if (req.data.length !== 8) return { fault: "length" };
  const offset = word(req.data, 0);
  const len = word(req.data, 1);
  if (len > 64) return { fault: "length" };
  if (!s.attached || !inFlash(h, s, offset, len)) return { fault: "flashRead" };
  const data = new Uint8Array(64);
  data.set(h.flash.read(offset, len));
  return { data };
}
