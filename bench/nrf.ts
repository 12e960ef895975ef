/**
 * micro:bit / nRF strategies on the simulated DAPLink + nRF, all through our pipeline and the
 * same HID link model: a full flash, MakeCode's partial flashing (PXT), pyOCD's smart flash,
 * and ours. Peer behaviour is modelled with bench-local stage wrappers (reference notes
 * cmsis-dap-and-microbit.md §1.3–1.7 for PXT, §4.1–4.4 for pyOCD).
 *
 * @module
 */
import {
  type BlockComparison,
  digestsEqual,
  flash,
  type FlashDevice,
  regionAt,
  type Registry,
  touchedBlocks,
} from "../kernel/mod.ts";
import {
  dapSim,
  DapSimBank,
  loadSegments,
  type SimBoard,
  type SimDapLink,
} from "../sim/boards/plugin.ts";
import { DAP_TIMING } from "../sim/dap/timing.ts";
import { NRF_CHIPS } from "../sim/nrf/chips.ts";
import { nrfTargets } from "../targets/nrf/plugin.ts";
import { changedBlocks, holds, loadFor, registryWith, timedContext } from "./harness.ts";
import type { LowerBound, RunMetrics } from "./measure.ts";
import type { Scenario } from "./scenarios.ts";
import type { BenchParams } from "./params.ts";

/** The nRF strategies, in table order. */
export const NRF_STRATEGIES = [
  { name: "full flash", label: "full", role: "peer" },
  { name: "MakeCode (PXT) partial flash", label: "pxt", role: "peer" },
  { name: "pyOCD smart flash", label: "pyocd", role: "peer" },
  { name: "deltaflash", role: "ours" },
] as const;

/** One nRF strategy. */
export type NrfStrategy = (typeof NRF_STRATEGIES)[number];

/** A bank that remembers the links it opened (their packet counters are the wire counts). */
export class CountingDapBank extends DapSimBank {
  /** Links opened so far. */
  readonly links: SimDapLink[] = [];
  override async open(...args: Parameters<DapSimBank["open"]>): Promise<SimDapLink> {
    const link = await super.open(...args);
    this.links.push(link);
    return link;
  }
}

/** Host-side packets in flight (the simulated probe buffers DAP_TIMING.packetCount). */
function setPackets(device: FlashDevice, n: number | undefined): void {
  const probe = (device as { core?: { probe?: { packetCount: number } } }).core?.probe;
  if (probe && n !== undefined) probe.packetCount = Math.max(1, Math.floor(n));
}

const same = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * MakeCode: one hash-stub pass over every page of the chip, pages padded with 0xFF, one
 * command per packet (no pipelining); half or more pages changed → full flash. No verify.
 */
function pxt(registry: Registry, target: string): void {
  registry.wrapStage("queryHashes", () => async (ctx, { device, image, algorithm }) => {
    setPackets(device, 1);
    const flashRegion = device.layout.regions.find((r) => r.name === "flash")!;
    const blocks = touchedBlocks(image, device.layout);
    const pages = Array.from({ length: flashRegion.size / flashRegion.blockSize }, (_, i) => ({
      start: flashRegion.start + i * flashRegion.blockSize,
      end: flashRegion.start + (i + 1) * flashRegion.blockSize,
    }));
    const others = blocks.filter((b) => regionAt(device.layout, b.address) !== flashRegion)
      .map((b) => ({ start: b.address, end: b.address + b.size }));
    const digests = await device.hash(ctx, algorithm.name, [...pages, ...others]);
    const byAddress = new Map([...pages, ...others].map((r, i) => [r.start, digests[i]]));
    let out: BlockComparison[] = blocks.map((b) => ({
      ...b,
      same: digestsEqual(
        algorithm.digest(image.read(b.address, b.size, 0xff)),
        byAddress.get(b.address)!,
      ),
    }));
    const changed = out.filter((b) => !b.same).length;
    if (changed >= out.length / 2) out = out.map((b) => ({ ...b, same: false }));
    return { algorithm: algorithm.name, blocks: out, requests: 1 };
  }, { targets: [target] });
}

/**
 * pyOCD: on the nRF51 the CRC analyzer runs (our hash stub stands in for it) and only
 * mismatches are trusted; elsewhere the first 32 bytes of each page are read. Pages not
 * proven different are read back in full and compared. Pipelined. No verify.
 */
function pyocd(registry: Registry, target: string, analyzer: boolean, packets?: number): void {
  registry.wrapStage("queryHashes", () => async (ctx, { device, image, algorithm }) => {
    setPackets(device, packets);
    const blocks = touchedBlocks(image, device.layout);
    const expected = blocks.map((b) => image.read(b.address, b.size, 0xff));
    const unknown: number[] = [];
    if (analyzer) {
      const digests = await device.hash(
        ctx,
        algorithm.name,
        blocks.map((b) => ({ start: b.address, end: b.address + b.size })),
      );
      blocks.forEach((_, i) =>
        digestsEqual(algorithm.digest(expected[i]), digests[i]) && unknown.push(i)
      );
    } else {
      for (let i = 0; i < blocks.length; i++) {
        const head = await device.read!(ctx, blocks[i].address, 32);
        if (same(head, expected[i].subarray(0, 32))) unknown.push(i);
      }
    }
    const isSame = blocks.map(() => false);
    for (const i of unknown) {
      isSame[i] = same(await device.read!(ctx, blocks[i].address, blocks[i].size), expected[i]);
    }
    return {
      algorithm: algorithm.name,
      blocks: blocks.map((b, i) => ({ ...b, same: isSame[i] })),
      requests: 1,
    };
  }, { targets: [target] });
}

/** Packets in flight from the first stage that has the device (full mode has no queryHashes). */
function packets(registry: Registry, target: string, n: number | undefined): void {
  registry.wrapStage("queryHashes", (next) => (ctx, args) => {
    setPackets(args.device, n);
    return next(ctx, args);
  }, { targets: [target] });
  registry.wrapStage("write", (next) => (ctx, args) => {
    setPackets(args.device, n);
    return next(ctx, args);
  }, { targets: [target] });
}

/** A fresh bank whose board holds `old`. */
export async function preloadNrf(
  sc: Scenario,
): Promise<{ bank: CountingDapBank; registry: Registry; board: SimBoard }> {
  const bank = new CountingDapBank();
  const registry = await registryWith(dapSim(bank), nrfTargets());
  const board = await bank.board(sc.address, sc.target);
  loadSegments(board, (await loadFor(registry, sc.target, sc.old)).segments);
  return { bank, registry, board };
}

/** Runs one strategy on one scenario in a fresh simulator and clock. */
export async function runNrf(sc: Scenario, s: NrfStrategy, p: BenchParams): Promise<RunMetrics> {
  const { bank, registry, board } = await preloadNrf(sc);
  const chip = board.device.chip;
  if (s.name.startsWith("MakeCode")) pxt(registry, sc.target);
  else if (s.name.startsWith("pyOCD")) {
    pyocd(registry, sc.target, chip.family === "nrf51", p.packetCount);
  } else packets(registry, sc.target, p.packetCount);
  const { ctx, clock, connectMs } = timedContext();
  const full = s.name === "full flash";
  const peer = s.role === "peer" && !full;
  const r = await flash(registry, ctx, {
    target: sc.target,
    inputs: sc.new,
    mode: full ? "full" : "diff",
    verify: !peer,
    partialBlocks: peer ? "fill" : undefined,
    connect: { probe: sc.address },
  });
  const out = bank.links.reduce((n, l) => n + l.stats.packetsOut, 0);
  const back = bank.links.reduce((n, l) => n + l.stats.packetsIn, 0);
  const { pageErases, wordWrites } = board.device.nvmc.stats;
  return {
    ms: clock.now(),
    connectMs: connectMs(),
    bytesOut: out * DAP_TIMING.packetSize,
    bytesIn: back * DAP_TIMING.packetSize,
    roundTrips: out,
    erased: pageErases,
    programmedKiB: wordWrites * 4 / 1024,
    ok: holds(r.image, (a, n) => read(board, a, n)),
    estimateMs: s.role === "ours" ? r.plan.estimate?.ms : undefined,
  };
}

function read(board: SimBoard, address: number, length: number): Uint8Array {
  const { flash, uicr } = board.device;
  return address >= 0x10001000
    ? uicr.slice(address - 0x10001000, address - 0x10001000 + length)
    : flash.slice(address, address + length);
}

/** Data bytes per HID report with DAP_TransferBlock writes: 14 words (reference §4.4). */
export const BLOCK_BYTES_PER_REPORT = 56;
/** Hash stub cycles per word (targets/nrf/plugin.ts cost model: about 20 cycles a word). */
const HASH_CYCLES_PER_WORD = 20;

/** The lower bound: hash every touched page, send only changed pages, erase+program them. */
export async function nrfBound(sc: Scenario, connectMs: number): Promise<LowerBound> {
  const { registry, board } = await preloadNrf(sc);
  const target = registry.target(sc.target);
  const chip = NRF_CHIPS[board.spec.chip];
  const image = await loadFor(registry, sc.target, sc.new);
  const layout = target.layout;
  const changed = changedBlocks(image, layout, (a, n) => read(board, a, n), "keep");
  const touched = touchedBlocks(image, layout).reduce((n, b) => n + b.size, 0);
  const bytes = changed.reduce((n, b) => n + b.size, 0);
  return {
    connectMs,
    hashMs: (touched / 4) * HASH_CYCLES_PER_WORD / (chip.clockHz / 1000),
    transferMs: (bytes / BLOCK_BYTES_PER_REPORT) * DAP_TIMING.frameMs,
    flashMs: (changed.length * chip.pageEraseUs + (bytes / 4) * chip.wordWriteUs) / 1000,
  };
}
