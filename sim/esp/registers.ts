/**
 * The register space the loader protocol can reach with READ_REG / WRITE_REG: the chip-detect
 * magic word, the eFuse MAC and chip-revision words (read-only), the UART clock divider and the SPI flash controller's
 * "user command" registers, which esptool and esptool-js drive to read the flash JEDEC id.
 * Every other address reads back what was last written (0 at reset).
 *
 * @module
 */
import type { EspChip } from "./chips.ts";

/** Address of the chip-detect magic word. */
export const MAGIC_REG = 0x40001000;
/** SPI_CMD bit that starts a user command; hardware clears it when done. */
export const SPI_CMD_USR = 1 << 18;
/** JEDEC "read id" command. */
export const SPIFLASH_RDID = 0x9f;
/** "Read status register 1" command. */
export const SPIFLASH_RDSR = 0x05;

/** Register file of one simulated chip. */
export class RegisterFile {
  #values = new Map<number, number>();

  constructor(
    readonly chip: EspChip,
    readonly jedec: () => number,
    readonly uartBaud: () => number,
  ) {}

  /** Clears writable state (on reset). */
  reset(): void {
    this.#values.clear();
  }

  /** Reads a 32-bit register. */
  read(addr: number): number {
    const c = this.chip;
    addr >>>= 0;
    if (addr === MAGIC_REG) return c.magic >>> 0;
    if (addr === c.macEfuse) {
      const m = c.mac;
      return ((m[2] << 24) | (m[3] << 16) | (m[4] << 8) | m[5]) >>> 0;
    }
    const fuse = c.efuse[addr] ?? 0;
    if (addr === c.macEfuse + 4) return ((fuse & 0xffff0000) | (c.mac[0] << 8) | c.mac[1]) >>> 0;
    if (addr in c.efuse) return fuse >>> 0;
    if (c.uartClkdiv !== undefined && addr === c.uartClkdiv) {
      // The ROM programs the divider for its line rate from the crystal clock.
      return Math.round((c.xtalMhz * 1e6) / this.uartBaud()) & 0xfffff;
    }
    return this.#values.get(addr) ?? 0;
  }

  /** Writes `value` under `mask` (as WRITE_REG does: read-modify-write). */
  write(addr: number, value: number, mask = 0xffffffff): void {
    addr >>>= 0;
    const old = this.#values.get(addr) ?? 0;
    const v = ((old & ~mask) | (value & mask)) >>> 0;
    this.#values.set(addr, v);
    const spi = this.chip.spi;
    if (addr === spi.base && v & SPI_CMD_USR) this.#runUserCommand();
  }

  #runUserCommand(): void {
    const spi = this.chip.spi;
    const cmd = (this.#values.get(spi.base + spi.usr2) ?? 0) & 0xff;
    let result = 0;
    if (cmd === SPIFLASH_RDID) result = this.jedec();
    else if (cmd === SPIFLASH_RDSR) result = 0; // not busy, no protection bits
    this.#values.set(spi.base + spi.w0, result >>> 0);
    const cmdReg = this.#values.get(spi.base) ?? 0;
    this.#values.set(spi.base, (cmdReg & ~SPI_CMD_USR) >>> 0);
  }
}
