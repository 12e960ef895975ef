/**
 * Per-OS constants for the FFI serial port, in one table so a new platform is one entry.
 * Linux values are the asm-generic/x86 ABI (same on x86_64 and aarch64), checked with
 * `offsetof`/`printf` against glibc 2.36 headers. Darwin values come from `<sys/ioccom.h>`
 * and `<sys/termios.h>` arithmetic and have not been run; the port refuses Darwin until the
 * termios path for it is written.
 *
 * @module
 */

/** Constants the serial port needs from one operating system. */
export interface PlatformConstants {
  /** Shared library that has open/read/ioctl/poll. */
  readonly libc: string;
  /** `open` flags. */
  readonly O_RDWR: number;
  readonly O_NOCTTY: number;
  readonly O_NONBLOCK: number;
  readonly O_CLOEXEC: number;
  /** Exclusive-open ioctls. */
  readonly TIOCEXCL: bigint;
  readonly TIOCNXCL: bigint;
  /** Modem-line ioctls (argument: pointer to int). */
  readonly TIOCMGET: bigint;
  readonly TIOCMBIS: bigint;
  readonly TIOCMBIC: bigint;
  readonly TIOCSBRK: bigint;
  readonly TIOCCBRK: bigint;
  /** Input/output-queue lengths and flush. */
  readonly FIONREAD: bigint;
  readonly TIOCOUTQ: bigint;
  readonly TCFLSH: bigint;
  /** termios2 get/set (Linux); Darwin uses IOSSIOSPEED instead. */
  readonly TCGETS2?: bigint;
  readonly TCSETS2?: bigint;
  readonly IOSSIOSPEED?: bigint;
  /** Modem bits. */
  readonly TIOCM_DTR: number;
  readonly TIOCM_RTS: number;
  /** Darwin arm64 passes variadic arguments on the stack: pad ioctl/open with 6 i64s. */
  readonly variadicPadding: number;
  /** errno location function name. */
  readonly errnoFn: "__errno_location" | "__error";
  /** errno values. */
  readonly errno: Readonly<Record<ErrnoName, number>>;
}

/** errno names the port interprets. */
export type ErrnoName =
  | "EPERM"
  | "ENOENT"
  | "EINTR"
  | "EIO"
  | "ENXIO"
  | "EBADF"
  | "EAGAIN"
  | "EACCES"
  | "EBUSY"
  | "ENODEV"
  | "ENOTTY"
  | "EINVAL";

/** Linux (x86_64 and aarch64 share these; see asm-generic/ioctls.h, asm-generic/termbits.h). */
export const LINUX: PlatformConstants = {
  libc: "libc.so.6", // "libc.so" is a linker script on Debian, not an ELF.
  O_RDWR: 0x2,
  O_NOCTTY: 0x100,
  O_NONBLOCK: 0x800,
  O_CLOEXEC: 0x80000,
  TIOCEXCL: 0x540cn,
  TIOCNXCL: 0x540dn,
  TIOCMGET: 0x5415n,
  TIOCMBIS: 0x5416n,
  TIOCMBIC: 0x5417n,
  TIOCSBRK: 0x5427n,
  TIOCCBRK: 0x5428n,
  FIONREAD: 0x541bn,
  TIOCOUTQ: 0x5411n,
  TCFLSH: 0x540bn,
  TCGETS2: 0x802c542an,
  TCSETS2: 0x402c542bn,
  TIOCM_DTR: 0x002,
  TIOCM_RTS: 0x004,
  variadicPadding: 0,
  errnoFn: "__errno_location",
  errno: {
    EPERM: 1,
    ENOENT: 2,
    EINTR: 4,
    EIO: 5,
    ENXIO: 6,
    EBADF: 9,
    EAGAIN: 11,
    EACCES: 13,
    EBUSY: 16,
    ENODEV: 19,
    ENOTTY: 25,
    EINVAL: 22,
  },
};

/** macOS (not yet wired: termios there is 72 bytes with 8-byte flags and no termios2). */
export const DARWIN: PlatformConstants = {
  libc: "libSystem.dylib",
  O_RDWR: 0x2,
  O_NOCTTY: 0x20000,
  O_NONBLOCK: 0x4,
  O_CLOEXEC: 0x1000000,
  TIOCEXCL: 0x2000740dn,
  TIOCNXCL: 0x2000740en,
  TIOCMGET: 0x4004746an,
  TIOCMBIS: 0x8004746cn,
  TIOCMBIC: 0x8004746bn,
  TIOCSBRK: 0x2000747bn,
  TIOCCBRK: 0x2000747an,
  FIONREAD: 0x4004667fn,
  TIOCOUTQ: 0x40047473n,
  TCFLSH: 0n, // Darwin has tcflush() only (TIOCFLUSH 0x80047410 takes FREAD|FWRITE).
  IOSSIOSPEED: 0x80085402n,
  TIOCM_DTR: 0x002,
  TIOCM_RTS: 0x004,
  variadicPadding: 6,
  errnoFn: "__error",
  errno: {
    EPERM: 1,
    ENOENT: 2,
    EINTR: 4,
    EIO: 5,
    ENXIO: 6,
    EBADF: 9,
    EAGAIN: 35,
    EACCES: 13,
    EBUSY: 16,
    ENODEV: 19,
    ENOTTY: 25,
    EINVAL: 22,
  },
};

/** poll(2) event bits (same on Linux and Darwin). */
export const POLLIN = 0x1;
/** Writable. */
export const POLLOUT = 0x4;
/** Error condition. */
export const POLLERR = 0x8;
/** Hang-up: the device went away or the peer closed. */
export const POLLHUP = 0x10;
/** Invalid fd. */
export const POLLNVAL = 0x20;

/** flock(2) operations. */
export const LOCK_EX = 2;
/** Non-blocking flock. */
export const LOCK_NB = 4;
/** Unlock. */
export const LOCK_UN = 8;

/** Constants for the running OS, or undefined where the port is not implemented. */
export function currentPlatform(): PlatformConstants | undefined {
  return Deno.build.os === "linux" ? LINUX : undefined;
}
