/**
 * Typed errors for ESP ROM and stub failures, with the code the chip reported and a hint.
 *
 * @module
 */
import { type DeltaflashErrorOptions, DeviceError } from "../../kernel/mod.ts";

/** Name and advice for each ROM (0x05–0x69) and stub (0xC0–0xFF) error code. */
const CODES: Record<number, [string, string]> = {
  0x05: ["invalid message", "the loader did not understand the request; check --target"],
  0x06: ["result wrong", "retry; if it persists, power-cycle the board"],
  0x07: ["checksum error", "data was corrupted on the line; lower the baud rate"],
  0x08: ["flash write error", "the flash did not read back as written; check power and wiring"],
  0x09: ["flash read error", "the flash could not be read; check flash size and SPI wiring"],
  0x0a: ["flash read length error", "the request exceeded the flash size the loader assumes"],
  0x0b: ["deflate error", "compressed data was rejected; lower the baud rate"],
  0x0c: ["deflate adler32 error", "compressed data was corrupted; lower the baud rate"],
  0x0d: ["deflate parameter error", "compressed data was rejected; lower the baud rate"],
  0x0e: ["invalid RAM binary size", "the RAM image is too large"],
  0x0f: ["invalid RAM binary address", "the RAM image address is not in RAM"],
  0x64: ["invalid parameter", "a request parameter was out of range"],
  0x65: ["invalid format", "the request had the wrong length for this chip"],
  0x66: ["description too long", "the request was too long"],
  0x67: ["bad encoding description", "the request was malformed"],
  0x69: ["insufficient storage", "the device ran out of memory"],
  0xc0: ["bad data length", "the stub rejected a block length"],
  0xc1: ["bad data checksum", "data was corrupted on the line; lower the baud rate"],
  0xc2: ["bad block size", "the stub rejected the block size"],
  0xc3: ["invalid command", "the stub does not know this command"],
  0xc4: ["SPI operation failed", "check flash size (writes past the set size fail)"],
  0xc5: ["SPI unlock failed", "the flash is write-protected"],
  0xc6: ["not in flash mode", "send FLASH_BEGIN first"],
  0xc7: ["inflate error", "compressed data was corrupted; lower the baud rate"],
  0xc8: ["not enough data", "the transfer ended early"],
  0xc9: ["too much data", "more data than announced was sent"],
  0xff: ["command not implemented", "the stub does not implement this command"],
};

/** Command names by opcode, for messages. */
export const OP_NAMES: Record<number, string> = {
  0x02: "FLASH_BEGIN",
  0x03: "FLASH_DATA",
  0x04: "FLASH_END",
  0x05: "MEM_BEGIN",
  0x06: "MEM_END",
  0x07: "MEM_DATA",
  0x08: "SYNC",
  0x09: "WRITE_REG",
  0x0a: "READ_REG",
  0x0b: "SPI_SET_PARAMS",
  0x0d: "SPI_ATTACH",
  0x0f: "CHANGE_BAUDRATE",
  0x10: "FLASH_DEFL_BEGIN",
  0x11: "FLASH_DEFL_DATA",
  0x12: "FLASH_DEFL_END",
  0x13: "SPI_FLASH_MD5",
  0x14: "GET_SECURITY_INFO",
  0xd2: "READ_FLASH",
};

/** Name of an opcode, e.g. `SPI_FLASH_MD5 (0x13)`. */
export function opName(op: number): string {
  return `${OP_NAMES[op] ?? "command"} (0x${op.toString(16).padStart(2, "0")})`;
}

/** The loader answered a command with a failure status. */
export class EspCommandError extends DeviceError {
  /** Opcode of the failed command. */
  readonly op: number;
  /** Error code the loader reported. */
  readonly errorCode: number;
  constructor(op: number, errorCode: number, options: DeltaflashErrorOptions = {}) {
    const [what, hint] = CODES[errorCode] ?? ["unknown error", "retry the command"];
    super(
      `${opName(op)} failed: ${what} (0x${errorCode.toString(16).padStart(2, "0")})`,
      { code: "E_ESP_COMMAND", hint, ...options },
    );
    this.op = op;
    this.errorCode = errorCode;
  }
}

/** The loader does not implement a command (ROM answers "invalid message"). */
export class EspUnsupportedError extends EspCommandError {
  constructor(op: number) {
    super(op, 0x05, { hint: "this loader does not implement the command" });
  }
}

/** The chip found is not the one the target names. */
export class WrongChipError extends DeviceError {
  constructor(requested: string, detected: string) {
    super(`target ${requested} was requested but the connected chip is ${detected}`, {
      code: "E_WRONG_CHIP",
      hint: `use --target ${detected.toLowerCase().replace("-", "")} or connect a ${requested}`,
    });
  }
}
