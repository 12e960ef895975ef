/**
 * The timing table: every modelled duration of the simulated link and chip, in one place,
 * each with where the number comes from. All durations are in milliseconds of (virtual or
 * real) clock time.
 *
 * @module
 */

/** Modelled costs. */
export const ESP_TIMING = {
  /** 8N1 framing: start + 8 data + stop bits per byte (UART standard). */
  bitsPerByte: 10,
  /**
   * Host↔device latency of a USB-serial bridge per direction: one USB full-speed frame
   * (1 ms, USB 2.0 spec). Real bridges range from ~1 ms (CP210x) to 16 ms (FTDI's default
   * latency timer); 1 ms is the optimistic common case.
   */
  bridgeLatencyMs: 1,
  /** 4 KiB sector erase, typical (W25Q32-class datasheet; reference §6). */
  sectorEraseMs: 45,
  /** 64 KiB block erase, typical (W25Q32-class datasheet; reference §6). */
  blockEraseMs: 150,
  /** 256 B page program, upper typical (W25Q32-class datasheet 0.4–0.7 ms; reference §6). */
  pageProgramMs: 0.7,
  /** Whole-chip erase per MiB: 4 MB in 3.2 s measured (ESP_Flasher #7; reference §6). */
  chipEraseMsPerMiB: 800,
  /** MD5 on the device: ≈0.4 s/MB with the stub (FastLED/fbuild #66; reference §6). */
  md5MsPerMiB: 400,
  /**
   * Inflate on the device, per MiB of output. Estimate (no measured source): miniz-class
   * inflate at ~4 MB/s on a 160 MHz core.
   */
  inflateMsPerMiB: 250,
  /** From MEM_END to the stub's "OHAI" (estimate: stub start-up and flash attach). */
  stubStartMs: 5,
  /** From reset release to the ROM banner (estimate; ROM boot is a few ms). */
  bootBannerMs: 2,
  /**
   * FLASH_END with the reboot flag: the stub drains its UART, waits 10 ms (`ets_delay_us(10000)`
   * in esptool's flasher stub) and calls the ROM's `software_reset()`.
   */
  stubRebootDelayMs: 10,
} as const;

const MIB = 1024 * 1024;

/** Time to clock `bytes` through a UART at `baud`. */
export function lineMs(bytes: number, baud: number): number {
  return (bytes * ESP_TIMING.bitsPerByte * 1000) / baud;
}

/** Time to erase `sectors` 4 KiB sectors one by one. */
export function sectorEraseMs(sectors: number): number {
  return sectors * ESP_TIMING.sectorEraseMs;
}

/**
 * Time for an erase of `sectors` sectors starting at sector index `first`, using 64 KiB block
 * erases where a whole aligned block is covered (what both the ROM and the stub do).
 */
export function rangeEraseMs(first: number, sectors: number): number {
  let ms = 0;
  let s = first;
  const end = first + sectors;
  while (s < end) {
    if (s % 16 === 0 && end - s >= 16) {
      ms += ESP_TIMING.blockEraseMs;
      s += 16;
    } else {
      ms += ESP_TIMING.sectorEraseMs;
      s++;
    }
  }
  return ms;
}

/** Time to program `pages` 256 B pages. */
export function programMs(pages: number): number {
  return pages * ESP_TIMING.pageProgramMs;
}

/** Time to hash `bytes` of flash with MD5 on the device. */
export function md5Ms(bytes: number): number {
  return (bytes / MIB) * ESP_TIMING.md5MsPerMiB;
}

/** Time to inflate into `bytes` of output on the device. */
export function inflateMs(bytes: number): number {
  return (bytes / MIB) * ESP_TIMING.inflateMsPerMiB;
}

/** Time to erase a whole chip of `size` bytes. */
export function chipEraseMs(size: number): number {
  return (size / MIB) * ESP_TIMING.chipEraseMsPerMiB;
}
