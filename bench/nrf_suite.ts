import type { BenchSuite } from "./suites.ts";
export function nrfSuite(): BenchSuite {
  return { name: "nrf", run: () => Promise.resolve([]) };
}
