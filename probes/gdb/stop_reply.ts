/**
 * Stop replies (`S`, `T`, `W`, `X`) from the GDB manual's "Stop Reply Packets".
 *
 * @module
 */

/** A parsed stop reply. */
export interface StopReply {
  /** `stopped` (S/T), `exited` (W), `killed` (X). */
  readonly kind: "stopped" | "exited" | "killed";
  /** Signal number (stopped/killed) or exit status (exited). */
  readonly signal: number;
  /** `T` pairs: register number (hex) or keyword → value. */
  readonly fields: Readonly<Record<string, string>>;
  /** Stop reason keyword when given (`swbreak`, `hwbreak`, `watch`, …). */
  readonly reason?: string;
}

/** SIGTRAP: breakpoints and single steps. */
export const SIGTRAP = 5;
/** SIGINT: stopped by an interrupt. */
export const SIGINT = 2;

const REASONS = ["watch", "rwatch", "awatch", "swbreak", "hwbreak", "library", "replaylog"];

/** True when `payload` is a stop reply rather than a command result. */
export function isStopReply(payload: string): boolean {
  return /^(S[0-9a-fA-F]{2}$|T[0-9a-fA-F]{2}|W[0-9a-fA-F]{2}|X[0-9a-fA-F]{2})/.test(payload);
}

/** Parses a stop reply; returns undefined for anything else. */
export function parseStopReply(payload: string): StopReply | undefined {
  if (!isStopReply(payload)) return undefined;
  const code = parseInt(payload.slice(1, 3), 16);
  const kind = payload[0] === "W" ? "exited" : payload[0] === "X" ? "killed" : "stopped";
  const fields: Record<string, string> = {};
  let reason: string | undefined;
  if (payload[0] === "T") {
    for (const pair of payload.slice(3).split(";")) {
      if (!pair) continue;
      const i = pair.indexOf(":");
      const key = i < 0 ? pair : pair.slice(0, i);
      fields[key] = i < 0 ? "" : pair.slice(i + 1);
      if (REASONS.includes(key)) reason = key;
    }
  }
  return { kind, signal: code, fields, reason };
}
