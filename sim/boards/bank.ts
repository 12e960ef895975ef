/**
 * Keeps one simulated board per address alive across opens (so a second flash sees the
 * first one's result and tests can inspect flash and UICR), parses `sim:` DAP addresses
 * and persists flash+UICR in a state file when the address carries `?state=/path.bin`.
 *
 * @module
 */
import { DeviceError, type OpenOptions, type RunContext, UsageError } from "../../kernel/mod.ts";
import { UICR_BASE } from "../nrf/nvmc.ts";
import { type BoardSpec, SIM_BOARDS, SimBoard } from "./boards.ts";
import { parseHexForBoard } from "../dap/hex.ts";
import { SimDapLink } from "../dap/link.ts";
import { ModelBoard, type SimDapBoardModel } from "../dap/model.ts";

/** Chip names accepted in place of a board name. */
const CHIP_ALIASES: Record<string, string> = {
  nrf51822: "microbit-v1",
  nrf51: "microbit-v1",
  nrf52833: "microbit-v2",
  nrf52: "microbit-v2",
};

/** A parsed `sim:<board>[?state=…]` address. */
export interface DapSimAddress {
  /** Board spec. */
  readonly board: BoardSpec;
  /** File persisting flash ‖ UICR. */
  readonly statePath?: string;
  /** Bank key. */
  readonly key: string;
}

/** Parses a DAP `sim:` address; `target` names the board when the address does not. */
export function parseDapSimAddress(address: string, target?: string): DapSimAddress {
  const body = address.replace(/^sim:/i, "");
  const [rawName, query = ""] = body.split("?", 2);
  const name = (rawName || target || "").toLowerCase();
  const board = SIM_BOARDS[name] ?? SIM_BOARDS[CHIP_ALIASES[name] ?? ""];
  if (!board) {
    throw new UsageError(`unknown simulated DAPLink board '${name}'`, {
      hint: `use sim:<board> with one of: ${Object.keys(SIM_BOARDS).join(", ")}`,
    });
  }
  const statePath = new URLSearchParams(query).get("state") ?? undefined;
  return { board, statePath, key: `${board.name}|${statePath ?? ""}` };
}

/**
 * Writes image segments straight into a board's flash or UICR (test backdoor, no timing),
 * then resets the chip. Bytes outside flash and UICR are ignored, as DAPLink ignores them
 * (e.g. the MakeCode source blob at 0x20000000 in V1 hex files).
 */
export function loadSegments(
  board: SimBoard,
  segments: readonly { address: number; data: Uint8Array }[],
): void {
  const { flash, uicr } = board.device;
  for (const { address, data } of segments) {
    if (address + data.length <= flash.length) flash.set(data, address);
    else if (address >= UICR_BASE && address - UICR_BASE + data.length <= uicr.length) {
      uicr.set(data, address - UICR_BASE);
    }
  }
  board.device.systemReset();
}

/** Loads an Intel HEX / micro:bit Universal Hex into a board (its own family's section). */
export function loadHex(board: SimBoard, text: string): void {
  loadSegments(board, parseHexForBoard(text, board.spec.boardId));
}

/** One simulated board per address for as long as the bank lives. */
export class DapSimBank {
  /** @param options.frameMs USB frame time per HID report and direction (default 1 ms). */
  constructor(readonly options: { readonly frameMs?: number } = {}) {}

  readonly #boards = new Map<string, SimBoard>();
  readonly #paths = new Map<SimBoard | ModelBoard, string>();
  readonly #open = new Set<SimBoard | ModelBoard>();
  readonly #models = new Map<string, SimDapBoardModel>();
  readonly #modelBoards = new Map<string, ModelBoard>();

  /**
   * Adds a board a plugin models (its own chip); `sim:<name>` then reaches it. Defining a
   * name again (a plugin loaded twice in one process) replaces the model for new boards.
   */
  defineBoard(model: SimDapBoardModel): void {
    const name = model.name.toLowerCase();
    if (SIM_BOARDS[name] || CHIP_ALIASES[name]) {
      throw new UsageError(`simulated DAPLink board '${name}' is already defined`);
    }
    this.#models.set(name, model);
  }

  /**
   * The board for an address that names a plugin-defined model (created, and loaded from its
   * state file, on first use); undefined when the address names no such model.
   */
  async modelBoard(address: string, target?: string): Promise<ModelBoard | undefined> {
    const [rawName, query = ""] = address.replace(/^sim:/i, "").split("?", 2);
    const model = this.#models.get((rawName || target || "").toLowerCase());
    if (!model) return undefined;
    const statePath = new URLSearchParams(query).get("state") ?? undefined;
    const key = `${model.name}|${statePath ?? ""}`;
    const existing = this.#modelBoards.get(key);
    if (existing) return existing;
    const board = new ModelBoard(model);
    if (statePath) {
      try {
        board.device.loadState(await Deno.readFile(statePath));
        board.device.systemReset();
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
      this.#paths.set(board, statePath);
    }
    this.#modelBoards.set(key, board);
    return board;
  }

  /** The board for an address, created (and loaded from its state file) on first use. */
  async board(address: string, target?: string): Promise<SimBoard> {
    const a = parseDapSimAddress(address, target);
    const existing = this.#boards.get(a.key);
    if (existing) return existing;
    let state: Uint8Array | undefined;
    if (a.statePath) {
      try {
        state = await Deno.readFile(a.statePath);
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
    }
    const board = new SimBoard(a.board);
    if (state) {
      const { flash, uicr } = board.device;
      flash.set(state.subarray(0, flash.length));
      if (state.length > flash.length) {
        uicr.set(state.subarray(flash.length, flash.length + uicr.length));
      }
      board.device.systemReset();
    }
    this.#boards.set(a.key, board);
    if (a.statePath) this.#paths.set(board, a.statePath);
    return board;
  }

  /** All boards created so far. */
  boards(): SimBoard[] {
    return [...this.#boards.values()];
  }

  /** Opens the probe link of the board at `address` (one open link per board). */
  async open(ctx: RunContext, address: string, options: OpenOptions = {}): Promise<SimDapLink> {
    const board = (await this.modelBoard(address, options.target)) ??
      await this.board(address, options.target);
    if (this.#open.has(board)) {
      throw new DeviceError(`${address} is already open`, {
        hint: "close the other connection to this simulated probe first",
      });
    }
    this.#open.add(board);
    const link = new SimDapLink(board, ctx.clock, this.options.frameMs);
    const close = link.close.bind(link);
    link.close = async () => {
      await close();
      this.#open.delete(board);
      this.save(board);
    };
    return link;
  }

  /** Writes flash ‖ UICR to the board's state file (synchronously, for CLIs that exit). */
  save(board: SimBoard | ModelBoard): void {
    const path = this.#paths.get(board);
    if (!path) return;
    if (board instanceof ModelBoard) return Deno.writeFileSync(path, board.device.saveState());
    const { flash, uicr } = board.device;
    const out = new Uint8Array(flash.length + uicr.length);
    out.set(flash);
    out.set(uicr, flash.length);
    Deno.writeFileSync(path, out);
  }
}

/** The bank the built-in plugin uses. */
export const sharedDapSimBank: DapSimBank = new DapSimBank();
