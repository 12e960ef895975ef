/**
 * Path helpers shared by the CLI modules.
 *
 * @module
 */
import { pathToFileURL } from "node:url";

/** `file://` URL of an absolute path. */
export function toFileUrl(path: string): string {
  return pathToFileURL(path).href;
}
