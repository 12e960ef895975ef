/**
 * Timing of the simulated probe, in one table. Sources:
 * - USB full-speed HID interrupt endpoints with bInterval 1: one 64-byte report per 1 ms
 *   frame in each direction (USB 2.0 §5.7.4; MakeCode `docs/hidflash.md`: "1 packet, of
 *   maximum 64 bytes, per millisecond").
 * - DAPLink KL26Z `DAP_config.h`: DAP_PACKET_SIZE 64, DAP_PACKET_COUNT 5,
 *   DAP_DEFAULT_SWJ_CLOCK 5 MHz.
 * - An SWD transfer is 8 request bits, a turnaround, 3 ACK bits, a turnaround, 32 data bits
 *   and parity: 46 clock cycles plus the configured idle cycles (ADIv5 B4.2).
 * Assumptions (no source): the bit-banged KL26 reaches at most 4 MHz whatever the host
 * requests; the firmware spends 1 µs between transfers and 10 µs per command; a
 * DAP_ResetTarget holds nRESET for 2 ms.
 *
 * @module
 */

/** The probe's timing constants. */
export const DAP_TIMING = {
  /** One HID report per frame per direction, ms. */
  frameMs: 1,
  /** Report size. */
  packetSize: 64,
  /** Commands the probe buffers. */
  packetCount: 5,
  /** SWCLK after reset, Hz. */
  defaultSwjClockHz: 5_000_000,
  /** Highest SWCLK the firmware achieves, Hz. */
  maxSwjClockHz: 4_000_000,
  /** Clock cycles per SWD transfer before idle cycles. */
  swdTransferBits: 46,
  /** Firmware time between transfers, µs. */
  transferOverheadUs: 1,
  /** Firmware time per command, µs. */
  commandOverheadUs: 10,
  /** DAP_ResetTarget duration, µs. */
  resetTargetUs: 2000,
} as const;
