/**
 * Command dispatch of the ROM loader and of the flasher stub, plus the small commands
 * (SYNC, registers, SPI setup, baud rate, RAM upload, security info). Which commands exist
 * and how replies look depends on `state.stub`, exactly as a client sees the two loaders.
 *
 * @module
 */
import {
  eraseFlash,
  eraseRegion,
  flashBegin,
  flashData,
  flashEnd,
  flashMd5,
  readFlash,
  readFlashSlow,
} from "./flashops.ts";
import type { LoaderHost, LoaderState } from "./loader_host.ts";
import type { Outcome } from "./outcome.ts";
import { checksum, Op, type Request, RomError, StubError, SYNC_PAYLOAD, word } from "./protocol.ts";

/** Value field of the ROM's SYNC replies (bytes 07 07 12 20 in esptool traces). */
export const ROM_SYNC_VALUE = 0x20120707;

/**
 * The ROM's answer to a command it does not know: status 1 / 0x05 in a reply whose opcode
 * differs from the request's, sent repeatedly (esptool and esptool-js drain these and raise
 * "unsupported command"). The opcode byte the real ROM uses was not found in any source; 0x00
 * is an assumption that satisfies the clients' op-mismatch test.
 */
const ROM_UNSUPPORTED: Outcome = {
  op: 0x00,
  code: RomError.INVALID_MESSAGE,
  repeat: 8,
};

/** Commands a ROM in Secure Download Mode still accepts (esptool docs; reference §2.2). */
const SDM_ALLOWED: ReadonlySet<number> = new Set([
  Op.SYNC,
  Op.SPI_ATTACH,
  Op.SPI_SET_PARAMS,
  Op.CHANGE_BAUDRATE,
  Op.FLASH_BEGIN,
  Op.FLASH_DATA,
  Op.FLASH_END,
  Op.GET_SECURITY_INFO,
]);

/** GET_SECURITY_INFO flag bit for Secure Download Mode. */
export const SECURE_DOWNLOAD_ENABLE = 1 << 2;

/** Handles one request; the caller builds and sends the reply. */
export function dispatch(h: LoaderHost, s: LoaderState, req: Request): Promise<Outcome> | Outcome {
  const stub = s.stub;
  if (s.sdm && !stub && !SDM_ALLOWED.has(req.op)) return ROM_UNSUPPORTED;
  switch (req.op) {
    case Op.SYNC:
      if (stub && req.data.length !== 36) return { fault: "length" };
      if (!sameBytes(req.data, SYNC_PAYLOAD)) return { silent: true };
      // Both answer 8 times; the ROM with a non-zero value, esp-flasher-stub with 0, which is
      // how clients notice a stub still running from an earlier session.
      return { value: stub ? 0 : ROM_SYNC_VALUE, repeat: 8 };
    case Op.READ_REG:
      if (req.data.length !== 4) return { fault: "length" };
      return { value: h.regs.read(word(req.data, 0)) };
    case Op.WRITE_REG:
      return writeReg(h, req);
    case Op.SPI_ATTACH:
      if (req.data.length !== 4 && req.data.length !== 8) return { fault: "length" };
      s.attached = true;
      return {};
    case Op.SPI_SET_PARAMS:
      if (req.data.length !== 24) return { fault: "length" };
      s.flashLimit = word(req.data, 1);
      return {};
    case Op.CHANGE_BAUDRATE: {
      if (req.data.length !== 8) return { fault: "length" };
      const baud = word(req.data, 0);
      if (baud < 300 || baud > 5_000_000) return { fault: "failed" };
      // The reply still goes out at the old rate.
      return { after: () => h.setBaud(baud) };
    }
    case Op.MEM_BEGIN:
      return memBegin(s, req);
    case Op.MEM_DATA:
      return memData(s, req);
    case Op.MEM_END:
      return memEnd(h, s, req);
    case Op.GET_SECURITY_INFO:
      if (req.data.length !== 0) return { fault: "length" };
      return securityInfo(h, s);
    case Op.FLASH_BEGIN:
      return flashBegin(h, s, req, false);
    case Op.FLASH_DATA:
      return flashData(h, s, req, false);
    case Op.FLASH_END:
      return flashEnd(h, s, req, false);
    case Op.FLASH_DEFL_BEGIN:
      return h.chip.romDeflate || stub ? flashBegin(h, s, req, true) : ROM_UNSUPPORTED;
    case Op.FLASH_DEFL_DATA:
      return h.chip.romDeflate || stub ? flashData(h, s, req, true) : ROM_UNSUPPORTED;
    case Op.FLASH_DEFL_END:
      return h.chip.romDeflate || stub ? flashEnd(h, s, req, true) : ROM_UNSUPPORTED;
    case Op.SPI_FLASH_MD5:
      return h.chip.romMd5 || stub ? flashMd5(h, s, req) : ROM_UNSUPPORTED;
    case Op.READ_FLASH_SLOW:
      return stub ? { code: StubError.INVALID_COMMAND } : readFlashSlow(h, s, req);
    case Op.ERASE_FLASH:
      return stub ? eraseFlash(h) : ROM_UNSUPPORTED;
    case Op.ERASE_REGION:
      return stub ? eraseRegion(h, s, req) : ROM_UNSUPPORTED;
    case Op.READ_FLASH:
      return stub ? readFlash(h, s, req) : ROM_UNSUPPORTED;
    case Op.RUN_USER_CODE:
      return stub ? { silent: true, after: () => h.leave(true) } : ROM_UNSUPPORTED;
    default:
      return stub ? { code: StubError.INVALID_COMMAND } : ROM_UNSUPPORTED;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** WRITE_REG: one or more (addr, value, mask, delay_us) quadruples. */
function writeReg(h: LoaderHost, req: Request): Outcome {
  if (req.data.length === 0 || req.data.length % 16) return { fault: "shortHeader" };
  let delayUs = 0;
  for (let i = 0; i < req.data.length / 16; i++) {
    const [addr, value, mask, delay] = [0, 1, 2, 3].map((k) => word(req.data, i * 4 + k));
    h.regs.write(addr, value, mask);
    delayUs += delay;
  }
  return { preMs: delayUs / 1000 };
}

function memBegin(s: LoaderState, req: Request): Outcome {
  if (req.data.length !== 16) return { fault: "length" };
  const [size, , blockSize, offset] = [0, 1, 2, 3].map((i) => word(req.data, i));
  if (blockSize === 0) return { fault: "ramSize" };
  s.mem = { offset, size, blockSize, nextSeq: 0, received: 0 };
  return {};
}

function memData(s: LoaderState, req: Request): Outcome {
  const m = s.mem;
  if (req.data.length < 16) return { fault: "shortHeader" };
  const len = word(req.data, 0);
  const seq = word(req.data, 1);
  const block = req.data.subarray(16);
  if (!m) return { fault: "notInFlashMode" };
  if (m.received + len > m.size) return { fault: s.stub ? "dataLength" : "ramSize" };
  if (block.length !== len) return { fault: "dataLength" };
  // The ROM checks the checksum and sequence; esp-flasher-stub only the lengths.
  if (!s.stub && checksum(block) !== req.checksum) return { fault: "checksum" };
  if (!s.stub && seq !== m.nextSeq) return { fault: "sequence" };
  const start = m.offset + seq * m.blockSize;
  s.ram.push([start, start + len]);
  m.received += len;
  m.nextSeq++;
  return {};
}

/** MEM_END: word 0 is 1 to stay in the loader, 0 to jump to word 1 (the entry point). */
function memEnd(h: LoaderHost, s: LoaderState, req: Request): Outcome {
  if (req.data.length !== 8) return { fault: "length" };
  const stay = word(req.data, 0) !== 0;
  const entry = word(req.data, 1);
  if (s.mem && s.mem.received !== s.mem.size) return { fault: "ramSize" };
  s.mem = undefined;
  if (stay) return {};
  return { after: () => h.jump(entry) };
}

/** GET_SECURITY_INFO: 20 bytes (flags, crypt count, 7 key purposes, chip id, API version). */
function securityInfo(h: LoaderHost, s: LoaderState): Outcome {
  const form = h.chip.romSecurityInfo;
  if (form === "unsupported") return s.stub ? { code: StubError.NOT_IMPLEMENTED } : ROM_UNSUPPORTED;
  const data = new Uint8Array(form === "short12" ? 12 : 20);
  const v = new DataView(data.buffer);
  // No secure boot or flash encryption; flash_crypt_cnt 0; key purposes all "user" (0).
  v.setUint32(0, s.sdm ? SECURE_DOWNLOAD_ENABLE : 0, true);
  if (form === "full20") v.setUint32(12, h.chip.chipId, true);
  return { data };
}
