/**
 * The README's main command: flash version 1, then version 2, of the example firmware onto
 * simulated devices through the real CLI, and show the second run writing only what changed.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { main } from "../../cli/main.ts";
import { createRegistry } from "../../mod.ts";

const dist = fileURLToPath(new URL("../firmware/dist/", import.meta.url));
const enc = new TextEncoder();
const say = (s: string) => Deno.stdout.writeSync(enc.encode(s + "\n"));
const io = {
  out: (l: string) => say(`    ${l}`),
  err: (l: string) => say(`    ${l}`),
  isTerminal: false,
};

interface Scenario {
  title: string;
  target: string;
  link: "--port" | "--probe";
  address: string;
  transport: "serial" | "dap";
  v1: string;
  v2: string;
}

const scenarios: Scenario[] = [
  {
    title: "ESP32-C3 over its serial ROM bootloader (simulated)",
    target: "esp32c3",
    link: "--port",
    address: "sim:esp32c3",
    transport: "serial",
    v1: "esp32c3-blink-v1.bin@0x10000",
    v2: "esp32c3-blink-v2.bin@0x10000",
  },
  {
    title: "micro:bit V2 over CMSIS-DAP (simulated DAPLink + ARMv6-M core running our stubs)",
    target: "microbit-v2",
    link: "--probe",
    address: "sim:microbit-v2",
    transport: "dap",
    v1: "microbit-blink-v1.hex",
    v2: "microbit-blink-v2.hex",
  },
];

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

async function cli(args: string[]): Promise<number> {
  const shown = args.join(" ").replaceAll(dist, "").replace(/\?state=\S+/, "");
  say(`  $ deltaflash ${shown}`);
  const code = await main(args, io);
  if (code !== 0) say(`    (exit ${code})`);
  return code;
}

const registry = await createRegistry();
const hasTarget = (n: string) => registry.targets().some((t) => t.name === n);
const hasSim = (kind: string) =>
  registry.transports().some((t) => t.kind === kind && t.scheme === "sim");
const file = (spec: string) => dist + spec;
const plain = (spec: string) => file(spec).replace(/@0x[0-9a-f]+$/i, "");

let failures = 0, ran = 0;
for (const s of scenarios) {
  if (
    !hasTarget(s.target) || !hasSim(s.transport) || !exists(plain(s.v1)) || !exists(plain(s.v2))
  ) {
    say(`\n# ${s.title}: not available in this build, skipped`);
    continue;
  }
  ran++;
  // The simulated flash persists in a file between the separate CLI runs.
  const state = await Deno.makeTempFile({ prefix: `deltaflash-${s.target}-`, suffix: ".bin" });
  await Deno.remove(state);
  const link = [s.link, `${s.address}?state=${state}`, "--target", s.target];
  say(`\n# ${s.title}`);
  say("\n## 1. first flash of version 1 (blank device: every block is written)");
  failures += (await cli(["flash", ...link, file(s.v1)])) ? 1 : 0;
  say("\n## 2. flash version 1 again (nothing changed: nothing is written)");
  failures += (await cli(["flash", ...link, file(s.v1)])) ? 1 : 0;
  say("\n## 3. flash version 2 (only the changed blocks are written)");
  failures += (await cli(["plan", ...link, file(s.v2)])) ? 1 : 0;
  failures += (await cli(["flash", ...link, file(s.v2)])) ? 1 : 0;
  await Deno.remove(state).catch(() => {});
}

if (!ran) {
  say("# No simulated device is available in this build; comparing the example images instead.");
  const pairs = [["esp32c3-blink-v1.bin", "esp32c3-blink-v2.bin"], [
    "microbit-blink-v1.hex",
    "microbit-blink-v2.hex",
  ]];
  for (const [a, b] of pairs) {
    if (exists(file(a)) && exists(file(b))) {
      failures += (await cli(["diff", file(a), file(b), "--board", "v2"])) ? 1 : 0;
    }
  }
}
Deno.exit(failures ? 1 : 0);
