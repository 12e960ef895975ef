/**
 * The GDB family: the same micro:bit updates as the nRF family, but through a gdbserver
 * (the simulated one in sim/gdb, serving the simulated nRF over RSP) whose connection drops
 * once, at a chosen chunk in either direction, as when OpenOCD or pyOCD is stopped or the
 * network goes; writes after the drop fail as a reset TCP connection does. Power loss and a
 * target reset are injected on this path too.
 *
 * @module
 */
import type { ByteStream, Clock, Plugin, TransportProvider } from "../../kernel/mod.ts";
import { SimGdbServer } from "../../sim/gdb/server.ts";
import type { Rng } from "../rng.ts";
import type { FaultFamily } from "./family.ts";
import { armNvmcCut, type Board, calibrator, nrfCase, nrfPrograms, NrfRig } from "./nrf.ts";
import type { TrialSteps } from "./trial.ts";

/** A connection to the simulated gdbserver that drops at chunk `at` (never when undefined). */
export class DroppingStream implements ByteStream {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  /** Chunks so far, both directions. */
  chunks = 0;
  fired = false;
  #dropped = false;
  #toHost!: TransformStreamDefaultController<Uint8Array>;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;

  constructor(
    readonly server: SimGdbServer,
    readonly at?: number,
    /** Something else to do at that chunk instead of dropping (reset the target). */
    readonly instead?: () => void,
  ) {
    this.readable = server.stream.readable.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        start: (c) => void (this.#toHost = c),
        transform: (chunk, c) => {
          if (this.#tick()) return;
          c.enqueue(chunk);
        },
      }),
    );
    this.#writer = server.stream.writable.getWriter();
    this.writable = new WritableStream<Uint8Array>({
      write: async (chunk) => {
        if (this.#dropped || this.#tick()) throw reset();
        await this.#writer.write(chunk);
      },
    });
  }

  /** Counts a chunk; true when the connection just dropped. */
  #tick(): boolean {
    const i = this.chunks++;
    if (this.at === undefined || this.fired || i !== this.at) return false;
    this.fired = true;
    if (this.instead) {
      this.instead();
      return false;
    }
    this.drop();
    return true;
  }

  /** The connection goes away. */
  drop(): void {
    if (this.#dropped) return;
    this.#dropped = true;
    this.server.disconnect();
    try {
      this.#toHost.error(reset());
    } catch { /* already closed */ }
  }

  close(): Promise<void> {
    this.server.disconnect();
    return Promise.resolve();
  }
}

/** What a socket whose peer went away throws. */
function reset(): Error {
  return new Deno.errors.ConnectionReset("Connection reset by peer (os error 104)");
}

/** The GDB family. */
export function gdbFamily(): FaultFamily {
  let programs = new Map<Board, Uint8Array[]>();
  const streams = new WeakMap<NrfRig, { stream?: DroppingStream; at?: number; reset?: boolean }>();
  const transport = (rig: NrfRig): Plugin => {
    const state = streams.get(rig) ?? {};
    streams.set(rig, state);
    rig.unplug = () => state.stream?.drop();
    rig.closeLinks = async () => await state.stream?.close();
    const provider: TransportProvider<"gdb"> = {
      scheme: "gdb",
      kind: "gdb",
      description: "simulated gdbserver for the simulated nRF, with a dropping connection",
      open: (ctx) => {
        const server = new SimGdbServer(rig.board.device, clockOf(ctx.clock));
        const instead = state.reset ? () => rig.board.device.systemReset() : undefined;
        state.stream = new DroppingStream(server, state.at, instead);
        return Promise.resolve(state.stream);
      },
    };
    return (host) => host.registerTransport(provider);
  };
  const newRig = (c: ReturnType<typeof nrfCase>) => new NrfRig(c, transport);
  const calibrate = calibrator(newRig, (rig) => streams.get(rig)?.stream?.chunks ?? 0);
  return {
    name: "gdb",
    description: "micro:bit V1/V2 update through a gdbserver (RSP over a byte stream)",
    faults: {
      disconnect: "the gdbserver connection drops mid-command",
      reset: "target reset mid-command",
      "power-erase": "power lost during an NVMC page erase",
      "power-program": "power lost during an NVMC word write",
    },
    async prepare() {
      programs = await nrfPrograms();
    },
    async trial(fault: string, rng: Rng): Promise<TrialSteps | undefined> {
      const caseNo = rng.int(24);
      const c = nrfCase(programs, caseNo);
      const cal = await calibrate(c, String(caseNo));
      const rig = newRig(c);
      await rig.init();
      const state = streams.get(rig)!;
      let cutFired = false;
      if (fault === "power-erase" || fault === "power-program") {
        const armed = armNvmcCut(rig, fault, cal, rng, () => {
          cutFired = true;
          rig.unplug();
        });
        if (!armed) return undefined;
      } else {
        state.at = rng.int(cal.packets);
        state.reset = fault === "reset";
      }
      return {
        faulted: (signal) => rig.run(signal),
        fired: () => cutFired || (state.stream?.fired ?? false),
        flashMatches: () => Promise.resolve(rig.matches()),
        restore: () => {
          state.at = undefined;
          rig.powerCycle();
          return Promise.resolve();
        },
        rerun: (signal) => rig.run(signal),
      };
    },
  };
}

function clockOf(clock: Clock) {
  return { now: () => clock.now(), sleep: (ms: number) => clock.sleep(ms) };
}
