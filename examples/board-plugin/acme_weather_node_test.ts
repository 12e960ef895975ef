// The board plugin: listed by the CLI from its folder's config, passes the conformance kit on
// the simulated ESP32-C3, places raw images by partition and plays its own reset sequence.
import { deepEqual, equal, match, rejects } from "node:assert/strict";
import {
  createContext,
  flash,
  ImageRangeError,
  type Plugin,
  Registry,
  type SerialSignals,
  VirtualClock,
} from "../../mod.ts";
import { espTargets, formats, hashes } from "../../plugins/builtin.ts";
import { espSim, EspSimBank } from "../../sim/mod.ts";
import { conformanceTests } from "../../testing.ts";
import acmeWeatherNode, { PARTITIONS, RESET_SEQUENCE } from "./acme_weather_node.ts";

const PORT = "sim:esp32c3?usb=uart";
const here = new URL(".", import.meta.url).pathname;

async function setup(extra: Plugin[] = []) {
  const bank = new EspSimBank();
  const registry = new Registry();
  for (const p of [hashes(), formats(), espTargets(), espSim(bank), ...extra]) {
    await registry.use(p);
  }
  await registry.use(acmeWeatherNode(), "./acme_weather_node.ts");
  const flashBytes = (await bank.device(PORT)).flash.bytes;
  return { registry, flashBytes };
}

for (
  const t of conformanceTests({
    target: "acme-weather-node",
    async setup() {
      const { registry, flashBytes } = await setup();
      return {
        registry,
        connect: { port: PORT },
        base: PARTITIONS.find((p) => p.name === "app")!.offset,
        blockSize: 0x1000,
        flash: (a, n) => flashBytes.slice(a, a + n),
        corrupt: (a) => void (flashBytes[a] ^= 1),
        fill: (a, b) => flashBytes.set(b, a),
      };
    },
  })
) {
  Deno.test(`conformance (acme-weather-node on ${PORT}): ${t.name}`, t.fn);
}

Deno.test("board plugin: `deno run -A ../../cli.ts targets` in its folder lists the board", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "../../cli.ts", "targets"],
    cwd: here,
    env: { NO_COLOR: "1" },
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  equal(out.code, 0, new TextDecoder().decode(out.stderr));
  match(stdout, /^acme-weather-node\s+esp\s+serial\s+Acme Weather Node/m);
  match(stdout, /^esp32c3\s/m); // the chip it derives from is still there
});

Deno.test("board plugin: a raw app image without an address goes to the app partition", async () => {
  const { registry, flashBytes } = await setup();
  const app = await Deno.readFile(
    new URL("../firmware/dist/esp32c3-blink-v1.bin", import.meta.url),
  );
  const ctx = createContext({ clock: new VirtualClock() });
  const r = await flash(registry, ctx, {
    target: "acme-weather-node",
    connect: { port: PORT },
    inputs: [{ file: "blink.bin", bytes: app }],
  });
  equal(r.image.segments[0].address, 0x20000);
  deepEqual(flashBytes.slice(0x20000, 0x20000 + app.length), app);
  equal(flashBytes[0x1ffff], 0xff);
});

Deno.test("board plugin: an image larger than its partition is refused before connecting", async () => {
  const { registry } = await setup();
  const ctx = createContext({ clock: new VirtualClock() });
  await rejects(
    flash(registry, ctx, {
      target: "acme-weather-node",
      connect: { port: PORT },
      inputs: [{ file: "partition-table.bin", bytes: new Uint8Array(0x1001) }],
    }),
    (e) =>
      e instanceof ImageRangeError && /overflows the partition-table partition/.test(e.message),
  );
});

Deno.test("board plugin: the board's reset sequence reaches the port, with its waits", async () => {
  const seen: { at: number; signals: SerialSignals }[] = [];
  const bank = new EspSimBank();
  // A transport that records modem-line changes on their way to the simulated chip.
  const spy: Plugin = (host) =>
    host.registerTransport({
      scheme: "spy",
      kind: "serial",
      description: "records setSignals",
      async open(ctx, address, options) {
        const port = await bank.open(ctx, address.replace(/^spy:/, "sim:"), options);
        const set = port.setSignals.bind(port);
        port.setSignals = (signals) => {
          seen.push({ at: ctx.clock.now(), signals });
          return set(signals);
        };
        return port;
      },
    });
  const registry = new Registry();
  for (const p of [hashes(), formats(), espTargets(), spy]) await registry.use(p);
  await registry.use(acmeWeatherNode());
  const ctx = createContext({ clock: new VirtualClock() });
  await flash(registry, ctx, {
    target: "acme-weather-node",
    connect: { port: "spy:esp32c3?usb=uart" },
    inputs: [{ file: "app.bin", bytes: new Uint8Array(0x1000).fill(1) }],
  });
  const lines = RESET_SEQUENCE.filter((s) => !("waitMs" in s));
  deepEqual(seen.slice(0, lines.length).map((s) => s.signals), lines);
  deepEqual(seen.slice(0, 3).map((s) => s.at - seen[0].at), [0, 250, 350]);
});
