/**
 * DAP_Transfer and DAP_TransferBlock for SWD, following the CMSIS-DAP firmware's
 * `DAP_SWD_Transfer` / `DAP_SWD_TransferBlock` behaviour: AP reads are posted and the data
 * of the previous one is collected by the next AP read or an RDBUFF read; a trailing write
 * is checked with an RDBUFF read; WAIT is retried `retry` times; read-with-match re-reads
 * up to `matchRetry` times; processing stops at the first non-OK response and reports how
 * many transfers completed.
 *
 * @module
 */
import { ACK, REQ } from "./dp.ts";

/** One SWD packet on the wire (charges its time). */
export type SwdFn = (request: number, data?: number) => { ack: number; data: number };

/** TransferConfigure state plus the match mask. */
export interface TransferSettings {
  idleCycles: number;
  retry: number;
  matchRetry: number;
  matchMask: number;
}

const RDBUFF_READ = REQ.RnW | 0x0c;
/** Response bit: value mismatch. */
export const MISMATCH = 0x10;

function withRetry(swd: SwdFn, s: TransferSettings, request: number, data = 0) {
  let retry = s.retry;
  let r = swd(request, data);
  while (r.ack === ACK.WAIT && retry-- > 0) r = swd(request, data);
  return r;
}

function u32(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

function put32(out: number[], v: number): void {
  out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
}

/** DAP_Transfer body: `req` starts at the DAP index byte. Returns count, response, data. */
export function swdTransfer(
  swd: SwdFn,
  s: TransferSettings,
  req: Uint8Array,
): { count: number; response: number; data: number[] } {
  let p = 1; // skip the DAP index
  let remaining = req[p++] ?? 0;
  const data: number[] = [];
  let count = 0;
  let response = 0;
  let postRead = false;
  let checkWrite = false;
  for (; remaining > 0; remaining--) {
    const rq = req[p++];
    if (rq & REQ.RnW) {
      if (postRead) {
        let r;
        if ((rq & (REQ.APnDP | REQ.MATCH_VALUE)) === REQ.APnDP) r = withRetry(swd, s, rq);
        else {
          r = withRetry(swd, s, RDBUFF_READ);
          postRead = false;
        }
        response = r.ack;
        if (response !== ACK.OK) break;
        put32(data, r.data);
      }
      if (rq & REQ.MATCH_VALUE) {
        const match = u32(req, p);
        p += 4;
        let matchRetry = s.matchRetry;
        if (rq & REQ.APnDP) {
          response = withRetry(swd, s, rq).ack;
          if (response !== ACK.OK) break;
        }
        let value = 0;
        do {
          const r = withRetry(swd, s, rq);
          response = r.ack;
          value = r.data;
          if (response !== ACK.OK) break;
        } while (((value & s.matchMask) >>> 0) !== match && matchRetry-- > 0);
        if (((value & s.matchMask) >>> 0) !== match) response |= MISMATCH;
        if (response !== ACK.OK) break;
      } else if (rq & REQ.APnDP) {
        if (!postRead) {
          response = withRetry(swd, s, rq).ack;
          if (response !== ACK.OK) break;
          postRead = true;
        }
      } else {
        const r = withRetry(swd, s, rq);
        response = r.ack;
        if (response !== ACK.OK) break;
        put32(data, r.data);
      }
      checkWrite = false;
    } else {
      if (postRead) {
        const r = withRetry(swd, s, RDBUFF_READ);
        response = r.ack;
        if (response !== ACK.OK) break;
        put32(data, r.data);
        postRead = false;
      }
      const value = u32(req, p);
      p += 4;
      if (rq & REQ.MATCH_MASK) {
        s.matchMask = value;
        response = ACK.OK;
      } else {
        response = withRetry(swd, s, rq, value).ack;
        if (response !== ACK.OK) break;
        checkWrite = true;
      }
    }
    count++;
  }
  if (response === ACK.OK) {
    if (postRead) {
      const r = withRetry(swd, s, RDBUFF_READ);
      response = r.ack;
      if (response === ACK.OK) put32(data, r.data);
    } else if (checkWrite) {
      response = withRetry(swd, s, RDBUFF_READ).ack;
    }
  }
  return { count, response, data };
}

/** DAP_TransferBlock body: `req` starts at the DAP index byte. */
export function swdTransferBlock(
  swd: SwdFn,
  s: TransferSettings,
  req: Uint8Array,
): { count: number; response: number; data: number[] } {
  let remaining = req[1] | (req[2] << 8);
  const data: number[] = [];
  let count = 0;
  let response = 0;
  if (remaining === 0) return { count, response, data };
  let rq = req[3];
  let p = 4;
  if (rq & REQ.RnW) {
    if (rq & REQ.APnDP) {
      response = withRetry(swd, s, rq).ack;
      if (response !== ACK.OK) return { count, response, data };
    }
    while (remaining-- > 0) {
      if (remaining === 0 && rq & REQ.APnDP) rq = RDBUFF_READ;
      const r = withRetry(swd, s, rq);
      response = r.ack;
      if (response !== ACK.OK) return { count, response, data };
      put32(data, r.data);
      count++;
    }
  } else {
    while (remaining-- > 0) {
      const value = u32(req, p);
      p += 4;
      response = withRetry(swd, s, rq, value).ack;
      if (response !== ACK.OK) return { count, response, data };
      count++;
    }
    response = withRetry(swd, s, RDBUFF_READ).ack;
  }
  return { count, response, data };
}
