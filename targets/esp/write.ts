/**
 * Write payloads and the ROM-or-stub decision. A run is sent deflated when that is smaller
 * (esptool v5.2+ rule). The ROM writes each 1 KiB block before acking it and erases a run
 * up front; the stub takes 16 KiB blocks and writes one while the next arrives, but costs an
 * upload first, so it is chosen only when the modelled write time says it pays.
 *
 * @module
 */
import { deflateSync } from "node:zlib";
import type { EspChip } from "./chips.ts";
import { flashWorkMs, lineMs } from "./cost.ts";
import { STUB_WRITE_BLOCK } from "./stub.ts";

/** One run's payload: raw, or deflated when that is smaller (esptool v5.2+ rule). */
export interface Packed {
  readonly raw: Uint8Array;
  readonly body: Uint8Array;
  readonly deflate: boolean;
}

/** Deflates a run when that shrinks it. */
export function pack(raw: Uint8Array, compress: boolean): Packed {
  if (!compress) return { raw, body: raw, deflate: false };
  const z = deflateSync(raw, { level: 9 });
  const body = new Uint8Array(z.buffer, z.byteOffset, z.length);
  return body.length < raw.length
    ? { raw, body, deflate: true }
    : { raw, body: raw, deflate: false };
}

/** Line figures for the decision. */
export interface LinkFigures {
  /** Current baud rate. */
  readonly baud: number;
  /** Turnaround per exchange, ms. */
  readonly latencyMs: number;
}

function times(packed: readonly Packed[], chip: EspChip, link: LinkFigures) {
  const byteMs = lineMs(1, link.baud), L = link.latencyMs;
  let romMs = 0, stubMs = 0, idleMs = 0, lastWork = 0;
  for (const p of packed) {
    const t = p.body.length * byteMs, work = flashWorkMs(p.raw.length);
    romMs += t + work + (Math.ceil(p.body.length / chip.romWriteBlock) + 1) * L;
    // The stub programs one block while the next arrives; each block waits for its ack.
    const blocks = Math.ceil(p.body.length / STUB_WRITE_BLOCK);
    stubMs += Math.max(t, work) + blocks * L;
    // Time the stub waits for data with nothing to program: room for hashing.
    idleMs += Math.max(0, t - work);
    lastWork = flashWorkMs(Math.min(p.raw.length, Math.ceil(p.raw.length / blocks)));
  }
  // END is acked once the last block is in flash.
  if (packed.length) stubMs += L + lastWork;
  return { romMs, stubMs, byteMs, idleMs };
}

/** Upload time of a stub of `uploadBytes`: one pipelined stream, then its greeting. */
function uploadMs(uploadBytes: number, byteMs: number, link: LinkFigures): number {
  return uploadBytes * byteMs + 2 * link.latencyMs + 10;
}

/**
 * Modelled write time of `packed` runs: through the stub (its upload included unless it
 * already runs) when `uploadBytes` is given, else through the ROM; `checkMs` of hashing for
 * verify is added where it cannot hide behind the stub's wait for data.
 */
export function writeMs(
  packed: readonly Packed[],
  chip: EspChip,
  link: LinkFigures,
  stub: { uploadBytes: number; running: boolean } | undefined,
  checkMs = 0,
): { writeMs: number; verifyMs: number } {
  const { romMs, stubMs, byteMs, idleMs } = times(packed, chip, link);
  if (!stub) return { writeMs: romMs, verifyMs: checkMs };
  const upload = stub.running ? 0 : uploadMs(stub.uploadBytes, byteMs, link);
  return { writeMs: upload + stubMs, verifyMs: Math.max(0, checkMs - idleMs) };
}

/** False when a write is too small for any stub to pay off (no need to load its image). */
export function stubMayPay(
  packed: readonly Packed[],
  chip: EspChip,
  link: LinkFigures,
  checkMs = 0,
): boolean {
  return packed.some((p) => p.body.length) && times(packed, chip, link).romMs + checkMs >= 300;
}

/**
 * True when uploading a stub of `uploadBytes` and writing through it beats the ROM, counting
 * the `checkMs` of verify hashing the stub can hide behind its wait for data.
 */
export function stubPays(
  packed: readonly Packed[],
  chip: EspChip,
  link: LinkFigures,
  uploadBytes: number,
  checkMs = 0,
): boolean {
  const { romMs, stubMs, byteMs, idleMs } = times(packed, chip, link);
  const stub = uploadMs(uploadBytes, byteMs, link) + stubMs + Math.max(0, checkMs - idleMs);
  // A margin for what the model leaves out (stub start-up, per-run handshakes).
  return stub + 150 < romMs + checkMs;
}
