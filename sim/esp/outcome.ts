/**
 * What a command handler returns, and how loader faults map to ROM and stub status codes.
 *
 * @module
 */
import { RomError, StubError } from "./protocol.ts";

/** Kinds of failure a command can meet; each loader reports them with its own code. */
export type Fault =
  | "checksum"
  | "length"
  | "dataLength"
  | "shortHeader"
  | "blocksize"
  | "sequence"
  | "notInFlashMode"
  | "flashWrite"
  | "flashRead"
  | "inflate"
  | "tooMuchData"
  | "notEnoughData"
  | "ramSize"
  | "ramAddress"
  | "failed";

const ROM_CODES: Record<Fault, number> = {
  checksum: RomError.BAD_CHECKSUM,
  length: RomError.INVALID_MESSAGE,
  dataLength: RomError.INVALID_MESSAGE,
  shortHeader: RomError.INVALID_MESSAGE,
  blocksize: RomError.INVALID_MESSAGE,
  sequence: RomError.INVALID_MESSAGE,
  notInFlashMode: RomError.INVALID_MESSAGE,
  flashWrite: RomError.FLASH_WRITE,
  flashRead: RomError.FLASH_READ,
  inflate: RomError.DEFLATE,
  tooMuchData: RomError.DEFLATE,
  notEnoughData: RomError.DEFLATE,
  ramSize: RomError.RAM_SIZE,
  ramAddress: RomError.RAM_ADDRESS,
  failed: RomError.FAILED,
};

const STUB_CODES: Record<Fault, number> = {
  checksum: StubError.BAD_DATA_CHECKSUM,
  length: StubError.BAD_DATA_LEN,
  dataLength: StubError.TOO_MUCH_DATA,
  shortHeader: StubError.NOT_ENOUGH_DATA,
  blocksize: StubError.BAD_BLOCKSIZE,
  sequence: StubError.BAD_DATA_LEN,
  notInFlashMode: StubError.NOT_IN_FLASH_MODE,
  flashWrite: StubError.FAILED_SPI_OP,
  flashRead: StubError.FAILED_SPI_OP,
  inflate: StubError.INFLATE_ERROR,
  tooMuchData: StubError.TOO_MUCH_DATA,
  notEnoughData: StubError.NOT_ENOUGH_DATA,
  ramSize: StubError.BAD_DATA_LEN,
  ramAddress: StubError.BAD_DATA_LEN,
  failed: StubError.FAILED_SPI_OP,
};

/** Status code for `fault` as the ROM (`stub=false`) or the stub reports it. */
export function faultCode(fault: Fault, stub: boolean): number {
  return (stub ? STUB_CODES : ROM_CODES)[fault];
}

/** Result of one command. */
export interface Outcome {
  /** The response's value field (READ_REG result, SYNC's non-zero ROM value). */
  value?: number;
  /** Response data before the status bytes. */
  data?: Uint8Array;
  /** Failure, if any. */
  fault?: Fault;
  /** A raw status code, for replies no fault names (e.g. stub "invalid command"). */
  code?: number;
  /** Device work done before the reply goes out. */
  preMs?: number;
  /** Device work started after the reply (the stub's overlapped flash writes). */
  postMs?: number;
  /** Send the reply this many times (the ROM answers SYNC 8 times). */
  repeat?: number;
  /** Opcode to put in the reply, when not the request's. */
  op?: number;
  /** No reply at all. */
  silent?: boolean;
  /** Runs after the reply has been queued on the line. */
  after?: () => void;
}
