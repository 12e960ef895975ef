/**
 * The simulators, for tests and plugin authors: the ARMv6-M interpreter, the simulated
 * DAPLink boards and their `sim:` DAP transport (a plugin adds its own board model with
 * `DapSimBank.defineBoard`), and the simulated ESP32-family chips with their `sim:` serial
 * transport, and a gdbserver for a simulated nRF core. The package's main module never imports
 * this one; a `sim:` address loads it.
 *
 * @module
 */
export * from "./armv6m/mod.ts";
export * from "./boards/plugin.ts";
export * from "./esp/mod.ts";
export { type ServerClock, type ServerStream, SimGdbServer } from "./gdb/server.ts";
