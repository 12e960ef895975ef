/**
 * Fuzz targets for wire protocols: SLIP frames and ESP loader responses, telnet/RFC 2217
 * from a serial server, GDB RSP from a gdbserver and CMSIS-DAP responses from a probe.
 * GDB and DAP run the real host client through a whole session against a peer that replays
 * a mutated recording of the same session against a fake server or the simulated probe.
 *
 * @module
 */
import {
  createContext,
  DeltaflashError,
  DeviceError,
  type RunContext,
  VirtualClock,
} from "../../kernel/mod.ts";
import { DapSimBank } from "../../sim/boards/bank.ts";
import type { CortexMDebug } from "../../probes/cortexm/debug.ts";
import { DapCortexM } from "../../probes/dap/cortexm.ts";
import { DapProbe } from "../../probes/dap/probe.ts";
import { InfoId } from "../../probes/dap/protocol.ts";
import { checkResponse, decodeMd5, decodeResponse } from "../../targets/esp/protocol.ts";
import { SlipDecoder, slipEncode } from "../../targets/esp/slip.ts";
import { FakeGdbServer } from "../../probes/gdb/fake_server_test_util.ts";
import { GdbCortexMDebug } from "../../probes/gdb/debug.ts";
import { parseStopReply } from "../../probes/gdb/stop_reply.ts";
import { escapeIac, IAC, SB, SE, TelnetDecoder } from "../../plugins/net/telnet.ts";
import { parseHello } from "../../plugins/hid/ws_link.ts";
import { Rng } from "../rng.ts";
import { RecordingDapLink, recordingStream, ReplayDapLink, replayGdbServer } from "./replay.ts";
import { firmwareFiles } from "./seeds.ts";
import type { FuzzTarget } from "./target.ts";

/** Feeds `input` in chunks of varying size (a serial port delivers bytes in bursts). */
function* chunks(input: Uint8Array): Generator<Uint8Array> {
  let at = 0, k = input.length;
  while (at < input.length) {
    k = (Math.imul(k, 1103515245) + 12345) >>> 0;
    const n = 1 + ((k >>> 16) % 96);
    yield input.subarray(at, at + n);
    at += n;
  }
}

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

function response(op: number, value: number, data: number[]): Uint8Array {
  return Uint8Array.from([1, op, data.length & 0xff, data.length >> 8, ...le32(value), ...data]);
}

/** ESP loader output: boot banner, SLIP-framed responses, firmware bytes in frames. */
export const slipTarget: FuzzTarget = {
  name: "slip",
  description: "SLIP decoder and ESP loader responses (status, MD5 digest, noise text)",
  weight: 8,
  origin: "firmware+generated",
  async seeds() {
    const banner = new TextEncoder().encode(
      "ets Jun  8 2016 00:22:57\r\n\r\nrst:0x1 (POWERON_RESET),boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))\r\nwaiting for download\r\n",
    );
    const md5hex = [..."0123456789abcdef0123456789abcdef"].map((c) => c.charCodeAt(0));
    const frames = [
      ...Array.from({ length: 8 }, () => response(0x08, 0, [0, 0, 0, 0])),
      response(0x0a, 0x00f01d83, [0, 0, 0, 0]),
      response(0x13, 0, [...md5hex, 0, 0, 0, 0]),
      response(0x13, 0, [...md5hex.slice(0, 16), 0, 0]),
      response(0x02, 0, [1, 0x05, 0, 0]),
      response(0x03, 0, [1, 0xc3]),
      response(0xd2, 0, [0xc0, 0xdb, 0xc0, 0xdb, 0, 0]),
    ];
    const bins = await firmwareFiles("esp32/esptool-test-images", /^bootloader.*\.bin$/);
    const data = bins.map((b) => slipEncode(b.subarray(0, 2048)));
    const all = (parts: Uint8Array[]) => {
      const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let o = 0;
      for (const p of parts) out.set(p, (o += p.length) - p.length);
      return out;
    };
    return [all([banner, ...frames.map(slipEncode)]), all([...frames.map(slipEncode), ...data])];
  },
  run(input) {
    const dec = new SlipDecoder();
    for (const c of chunks(input)) {
      for (const frame of dec.push(c)) {
        for (const statusLen of [2, 4] as const) {
          const r = decodeResponse(frame, statusLen);
          if (!r) continue;
          try {
            checkResponse(r.op, r);
          } catch (e) {
            if (!(e instanceof DeltaflashError)) throw e;
          }
          if (r.op === 0x13 && (r.body.length === 16 || r.body.length === 32)) decodeMd5(r.body);
        }
      }
    }
    return dec.takeNoise();
  },
};

/** What an RFC 2217 server (ser2net) sends: option negotiation, COM-PORT replies, data. */
export const telnetTarget: FuzzTarget = {
  name: "telnet",
  description: "telnet / RFC 2217 decoder: verbs, COM-PORT-OPTION subnegotiations, IAC data",
  weight: 8,
  origin: "firmware+generated",
  async seeds() {
    const sb = (payload: number[]) => [IAC, SB, 44, ...payload, IAC, SE];
    const negotiation = [
      IAC,
      253,
      44,
      IAC,
      251,
      0,
      IAC,
      253,
      0,
      IAC,
      251,
      3,
      IAC,
      253,
      3,
      ...sb([101, ...le32(115200).reverse()]),
      ...sb([102, 8]),
      ...sb([103, 1]),
      ...sb([104, 1]),
      ...sb([105, 1]),
      ...sb([106, 0x60]),
      ...sb([107, 0x30]),
      IAC,
      241,
    ];
    const bins = await firmwareFiles("esp32/esptool-test-images", /^bootloader.*\.bin$/);
    return [
      Uint8Array.from(negotiation),
      ...bins.map((b) => Uint8Array.from([...negotiation, ...escapeIac(b.subarray(0, 4096))])),
    ];
  },
  run(input) {
    const dec = new TelnetDecoder();
    let events = 0;
    for (const c of chunks(input)) events += dec.feed(c).events.length;
    return events;
  },
};

/** The session the GDB and DAP targets run: what the nRF flashing code does with a core. */
async function coreSession(ctx: RunContext, core: CortexMDebug): Promise<void> {
  try {
    await core.halt(ctx);
    await core.readMemory(ctx, 0, 256);
    await core.writeMemory(ctx, 0x20000000, new Rng(1).bytes(256));
    await core.readRegister(ctx, 15);
    await core.writeRegister(ctx, 0, 0x1234);
    await core.readWord(ctx, 0x10000010);
    await core.isHalted(ctx);
  } finally {
    await core.close();
  }
}

function virtualContext(): RunContext {
  return createContext({ clock: new VirtualClock() });
}

/** A gdbserver's replies to one flashing-style session, recorded from the fake server. */
async function recordGdb(options: ConstructorParameters<typeof FakeGdbServer>[0]) {
  const server = new FakeGdbServer(options);
  server.load(0, new Rng(2).bytes(512));
  const rec = recordingStream(server.stream);
  const ctx = virtualContext();
  try {
    await coreSession(ctx, await GdbCortexMDebug.connect(ctx, rec.stream, { timeoutMs: 200 }));
  } catch { /* the recording up to a failure is still a seed */ }
  return Uint8Array.from(rec.bytes);
}

const TARGET_XML = '<?xml version="1.0"?><!DOCTYPE target SYSTEM "gdb-target.dtd">' +
  '<target><architecture>arm</architecture><feature name="org.gnu.gdb.arm.m-profile">' +
  '<reg name="r0" bitsize="32"/><reg name="sp" bitsize="32" regnum="13"/>' +
  '<reg name="pc" bitsize="32" regnum="15"/><reg name="xpsr" bitsize="32" regnum="25"/>' +
  "</feature></target>";

/** GDB remote protocol from a gdbserver, through the real client and Cortex-M layer. */
export const gdbTarget: FuzzTarget = {
  name: "gdb-rsp",
  description: "GDB RSP: handshake, qSupported, target.xml, stop replies, m/X/p/P replies",
  weight: 10,
  origin: "generated",
  async seeds() {
    return [
      await recordGdb({}),
      await recordGdb({ noAck: true, rle: true }),
      await recordGdb({ targetXml: TARGET_XML, stopOnConnect: true }),
      await recordGdb({ packetSize: 0x40, binaryWrites: false }),
    ];
  },
  async run(input) {
    // A stop reply string is also parsed on its own (the client only sees well-framed ones).
    parseStopReply(new TextDecoder("latin1").decode(input.subarray(0, 200)));
    const ctx = virtualContext();
    const core = await GdbCortexMDebug.connect(ctx, replayGdbServer(input), { timeoutMs: 200 });
    await coreSession(ctx, core);
  },
};

/** A probe's responses to one session, recorded from the simulated DAPLink + nRF. */
async function recordDap(board: string): Promise<Uint8Array> {
  const bank = new DapSimBank();
  const ctx = virtualContext();
  const rec = new RecordingDapLink(await bank.open(ctx, `sim:${board}`));
  const probe = new DapProbe(rec);
  try {
    await probe.boardId(ctx);
    await probe.info(ctx, InfoId.FirmwareVersion);
    await coreSession(ctx, await DapCortexM.connect(ctx, probe, { description: "sim" }));
  } catch { /* a partial recording is still a seed */ }
  await rec.close();
  return rec.recording();
}

/** CMSIS-DAP responses from a probe, through the real probe, DP/AP and Cortex-M layers. */
export const dapTarget: FuzzTarget = {
  name: "dap",
  description: "CMSIS-DAP responses: DAP_Info (hello, packet size), Transfer, TransferBlock",
  weight: 10,
  origin: "generated",
  seeds: async () => [await recordDap("microbit-v1"), await recordDap("microbit-v2")],
  async run(input) {
    const ctx = virtualContext();
    const probe = new DapProbe(new ReplayDapLink(input), { responseTimeoutMs: 100 });
    await probe.boardId(ctx);
    await coreSession(ctx, await DapCortexM.connect(ctx, probe, { description: "replay" }));
  },
};

/**
 * A probe server's greeting and then its probe's responses: the hello's packet size becomes
 * the link's, as `WsDapLink.connect` makes it (a bad greeting is refused as it refuses it),
 * and the probe session runs over it.
 */
export const probeServerTarget: FuzzTarget = {
  name: "probe-server",
  description: "probe-server hello (packet size) and the DAP session over that link",
  weight: 4,
  origin: "generated",
  seeds: async () => {
    const session = await recordDap("microbit-v2");
    return [64, 512, 8].map((size) => {
      const hello = new TextEncoder().encode(
        JSON.stringify({ type: "deltaflash-probe", packetSize: size }) + "\n",
      );
      const out = new Uint8Array(hello.length + session.length);
      out.set(hello);
      out.set(session, hello.length);
      return out;
    });
  },
  async run(input) {
    const nl = input.indexOf(10);
    const text = new TextDecoder().decode(input.subarray(0, nl < 0 ? input.length : nl));
    let packetSize: number;
    try {
      packetSize = parseHello(text).packetSize;
    } catch (e) {
      throw new DeviceError("unexpected greeting from the probe server", { cause: e });
    }
    const ctx = virtualContext();
    const link = new ReplayDapLink(nl < 0 ? new Uint8Array(0) : input.subarray(nl + 1), packetSize);
    const probe = new DapProbe(link, { responseTimeoutMs: 100 });
    await coreSession(ctx, await DapCortexM.connect(ctx, probe, { description: "replay" }));
  },
};
