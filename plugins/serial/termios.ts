/**
 * The kernel's `struct termios2` (44 bytes: four u32 flags, c_line, c_cc[19], then u32
 * ispeed/ospeed at 36/40), edited in TypeScript. Using TCGETS2/TCSETS2 with BOTHER avoids
 * glibc's cfsetspeed, whose meaning changed in glibc 2.42, and allows any rate (74880, 2000000…).
 * Bit values: Linux asm-generic/termbits.h.
 *
 * @module
 */
import { UsageError } from "../../kernel/mod.ts";

/** Size of struct termios2. */
export const TERMIOS2_SIZE = 44;

const IGNBRK = 0o1, BRKINT = 0o2, PARMRK = 0o10, ISTRIP = 0o40;
const INLCR = 0o100, IGNCR = 0o200, ICRNL = 0o400, IXON = 0o2000, IXOFF = 0o10000;
const IXANY = 0o4000, INPCK = 0o20;
const OPOST = 0o1;
const ISIG = 0o1, ICANON = 0o2, ECHO = 0o10, ECHONL = 0o100, IEXTEN = 0o100000;
const ECHOE = 0o20, ECHOK = 0o40;
/** Character size mask. */
export const CSIZE = 0o60;
/** 8 data bits. */
export const CS8 = 0o60;
const CSTOPB = 0o100, CREAD = 0o200, PARENB = 0o400;
/** Hang up (drop DTR) on last close; cleared so closing the port does not reset a board. */
export const HUPCL = 0o2000;
const CLOCAL = 0o4000;
const CRTSCTS = 0x80000000;
/** Speed field mask in c_cflag. */
export const CBAUD = 0o10017;
/** "Other" speed: take the rate from c_ispeed/c_ospeed. */
export const BOTHER = 0o10000;
const IBSHIFT = 16;
const VTIME = 5, VMIN = 6;
const CC_OFFSET = 17;

/** Decoded termios2 fields the port cares about. */
export interface Termios2 {
  iflag: number;
  oflag: number;
  cflag: number;
  lflag: number;
  ispeed: number;
  ospeed: number;
}

/** Reads the flags and speeds out of a termios2 buffer. */
export function decodeTermios2(buf: Uint8Array): Termios2 {
  const v = new DataView(buf.buffer, buf.byteOffset, TERMIOS2_SIZE);
  return {
    iflag: v.getUint32(0, true),
    oflag: v.getUint32(4, true),
    cflag: v.getUint32(8, true),
    lflag: v.getUint32(12, true),
    ispeed: v.getUint32(36, true),
    ospeed: v.getUint32(40, true),
  };
}

/**
 * Puts a termios2 buffer into raw 8N1 mode at `baud`, no flow control, HUPCL cleared,
 * VMIN=1/VTIME=0 so a non-blocking read with nothing waiting fails with EAGAIN (with VMIN=0
 * it would return 0, which could not be told apart from end of file after a hang-up).
 */
export function makeRaw8N1(buf: Uint8Array, baud: number): void {
  const v = new DataView(buf.buffer, buf.byteOffset, TERMIOS2_SIZE);
  const t = decodeTermios2(buf);
  const iflag = t.iflag &
    ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXOFF | IXANY | INPCK);
  const oflag = t.oflag & ~OPOST;
  const lflag = t.lflag & ~(ECHO | ECHOE | ECHOK | ECHONL | ICANON | ISIG | IEXTEN);
  const cflag = (t.cflag & ~(CSIZE | PARENB | CSTOPB | CRTSCTS | HUPCL)) | CS8 | CREAD | CLOCAL;
  v.setUint32(0, iflag >>> 0, true);
  v.setUint32(4, oflag >>> 0, true);
  v.setUint32(8, cflag >>> 0, true);
  v.setUint32(12, lflag >>> 0, true);
  buf[CC_OFFSET + VMIN] = 1;
  buf[CC_OFFSET + VTIME] = 0;
  setSpeed(buf, baud);
}

/** Sets input and output speed to any integer rate via BOTHER. */
export function setSpeed(buf: Uint8Array, baud: number): void {
  const v = new DataView(buf.buffer, buf.byteOffset, TERMIOS2_SIZE);
  let cflag = v.getUint32(8, true);
  cflag = (cflag & ~CBAUD & ~(CBAUD << IBSHIFT)) | BOTHER | (BOTHER << IBSHIFT);
  v.setUint32(8, cflag >>> 0, true);
  v.setUint32(36, baud, true);
  v.setUint32(40, baud, true);
}

/** Whether HUPCL is set (test helper and diagnostics). */
export function hasHupcl(t: Termios2): boolean {
  return (t.cflag & HUPCL) !== 0;
}

/** Whether the line is raw 8 data bits, no parity, one stop bit. */
export function is8N1(t: Termios2): boolean {
  return (t.cflag & CSIZE) === CS8 && (t.cflag & (PARENB | CSTOPB)) === 0 &&
    (t.lflag & (ICANON | ECHO | ISIG)) === 0 && (t.oflag & OPOST) === 0;
}

/** Throws a UsageError unless `baud` is a positive integer a u32 can hold. */
export function checkBaud(baud: number): void {
  if (!Number.isInteger(baud) || baud <= 0 || baud > 0xffffffff) {
    throw new UsageError(`invalid baud rate ${baud}`, { hint: "use e.g. 115200 or 921600" });
  }
}
