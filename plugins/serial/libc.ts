/**
 * libc for the serial port, through the shared binding (`../ffi/libc.ts`), with the
 * platform check and the serial plugin's helpers.
 *
 * @module
 */
import { UsageError } from "../../kernel/mod.ts";
import { cString, errnoOf, fromCString, type Libc, loadLibc } from "../ffi/libc.ts";
import { currentPlatform, type PlatformConstants } from "./platform.ts";

export { cString, fromCString };

export type { Libc };

/** Platform constants and the loaded symbols; throws a UsageError where unsupported. */
export function libc(): { c: Libc; k: PlatformConstants } {
  const k = currentPlatform();
  if (!k) {
    throw new UsageError(`serial ports are not supported on ${Deno.build.os} yet`, {
      hint: "use a network port (rfc2217://host:port or socket://host:port)",
    });
  }
  return { c: loadLibc(k.libc), k };
}

/** errno of the last synchronous libc call on this thread. */
export function errno(): number {
  return errnoOf(libc().c);
}

/** Closes an fd, ignoring errors (used on cleanup paths). */
export function closeQuietly(fd: number): void {
  if (fd >= 0) libc().c.close(fd);
}
