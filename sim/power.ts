/**
 * Power to a simulated flash array, for failure injection: a cut armed to hit the n-th coming
 * erase or program, and the state between the cut and power returning. Shared by the flash
 * models (ESP SPI NOR, nRF NVMC), which decide what an interrupted operation leaves behind.
 *
 * @module
 */

/** A power cut armed against a flash array. */
export interface PowerCut {
  /** Erases/programs that still complete before the cut (0: the next one is cut). */
  remaining: number;
  /** Only this kind of operation counts and is cut (default: either). */
  readonly on?: "erase" | "program";
  /** Uniform [0, 1) numbers that decide which cells the interrupted operation reached. */
  readonly noise: () => number;
  /** Called once at the cut (the owner drops the link, as the board loses power). */
  readonly onCut?: (what: "erase" | "program", address: number) => void;
}

/** The supply of one flash array: powered, or cut until {@link PowerSupply.powerOn}. */
export class PowerSupply {
  #cut: PowerCut | undefined;
  #powered = true;

  /** Arms a power cut during a coming erase or program. */
  arm(cut: PowerCut): void {
    this.#cut = cut;
  }

  /** Power returns: the array keeps what the cut left; no cut stays armed. */
  powerOn(): void {
    this.#powered = true;
    this.#cut = undefined;
  }

  /** False between a power cut and {@link powerOn}. */
  get powered(): boolean {
    return this.#powered;
  }

  /** True while a cut is armed. */
  get armed(): boolean {
    return this.#cut !== undefined;
  }

  /** The cut, when the armed one hits this operation (the power goes off); else undefined. */
  cutsNow(what: "erase" | "program", address: number): PowerCut | undefined {
    const cut = this.#cut;
    if (!cut || (cut.on && cut.on !== what) || cut.remaining-- > 0) return undefined;
    this.#cut = undefined;
    this.#powered = false;
    queueMicrotask(() => cut.onCut?.(what, address));
    return cut;
  }
}
