/**
 * Flash records on disk: one JSON file per device under the user's cache folder
 * (`$XDG_CACHE_HOME/deltaflash/records`, else `~/.cache/deltaflash/records`, or
 * `$DELTAFLASH_RECORDS`). A file that
 * cannot be read or parsed counts as no record; a record is only ever a prediction.
 *
 * @module
 */
import { type FlashRecord, type FlashRecordStore, isFlashRecord } from "../kernel/mod.ts";

/**
 * The default records folder: `DELTAFLASH_RECORDS` when set (empty: keep none), else the user's
 * cache folder; undefined without one.
 */
export function defaultRecordDir(): string | undefined {
  const set = Deno.env.get("DELTAFLASH_RECORDS");
  if (set !== undefined) return set || undefined;
  const cache = Deno.env.get("XDG_CACHE_HOME") ||
    (Deno.env.get("HOME") ? `${Deno.env.get("HOME")}/.cache` : undefined);
  return cache ? `${cache}/deltaflash/records` : undefined;
}

/** Records as files in `dir`, named after the device identity. */
export class FileRecordStore implements FlashRecordStore {
  constructor(readonly dir: string) {}

  #path(identity: string): string {
    return `${this.dir}/${identity.replace(/[^A-Za-z0-9_.-]/g, "_")}.json`;
  }

  /** The record for `identity`, or undefined when missing or unreadable. */
  async load(identity: string): Promise<FlashRecord | undefined> {
    try {
      const value = JSON.parse(await Deno.readTextFile(this.#path(identity)));
      return isFlashRecord(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }

  /** Writes the record for `identity` (to a temporary file, then renamed over the old one). */
  async save(identity: string, record: FlashRecord): Promise<void> {
    await Deno.mkdir(this.dir, { recursive: true });
    const path = this.#path(identity), tmp = `${path}.${Deno.pid}.tmp`;
    await Deno.writeTextFile(tmp, JSON.stringify(record));
    await Deno.rename(tmp, path);
  }
}
