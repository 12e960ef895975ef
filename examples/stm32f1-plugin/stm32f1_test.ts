// The STM32F1 family plugin on its simulator model: the conformance kit, the CLI loading both
// from this folder's config, the stub really driving the FPEC, and a typed error for the
// wrong chip.
import { equal, match, rejects } from "node:assert/strict";
import { createContext, DeviceError, flash, Registry, VirtualClock } from "../../mod.ts";
import { formats, hashes, nrfTargets } from "../../plugins/builtin.ts";
import { DapSimBank } from "../../sim/mod.ts";
import { conformanceTests } from "../../testing.ts";
import stm32f1 from "./stm32f1.ts";
import stm32f1Sim, { type Stm32f1SimDevice } from "./sim/plugin.ts";

const PROBE = "sim:stm32f103c8";
const here = new URL(".", import.meta.url).pathname;

async function setup() {
  const bank = new DapSimBank();
  const registry = new Registry();
  for (const p of [hashes(), formats(), nrfTargets(), stm32f1(), stm32f1Sim(bank)]) {
    await registry.use(p);
  }
  const chip = (await bank.modelBoard(PROBE))!.device as Stm32f1SimDevice;
  return { registry, chip, bank };
}

for (
  const t of conformanceTests({
    target: "stm32f103c8",
    async setup() {
      const { registry, chip } = await setup();
      const at = (a: number) => a - 0x08000000;
      return {
        registry,
        connect: { probe: PROBE },
        base: 0x08004000,
        blockSize: 1024,
        flash: (a, n) => chip.flash.slice(at(a), at(a) + n),
        corrupt: (a) => void (chip.flash[at(a)] ^= 1),
        fill: (a, b) => chip.flash.set(b, at(a)),
      };
    },
  })
) {
  Deno.test(`conformance (stm32f103c8 on ${PROBE}): ${t.name}`, t.fn);
}

Deno.test("stm32f1: `deno run -A ../../cli.ts targets` in its folder lists the family", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "../../cli.ts", "targets"],
    cwd: here,
    env: { NO_COLOR: "1" },
  }).output();
  equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const stdout = new TextDecoder().decode(out.stdout);
  match(stdout, /^stm32f103c8\s+stm32f1\s+probe\s+STM32F103C8 \(64 KiB flash at 0x8000000\)/m);
  match(stdout, /^microbit-v2\s/m);
});

Deno.test("stm32f1: pages are erased and programmed half-word by half-word by the stub", async () => {
  const { registry, chip } = await setup();
  const image = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff);
  const ctx = createContext({ clock: new VirtualClock() });
  const r = await flash(registry, ctx, {
    target: "stm32f103c8",
    connect: { probe: PROBE },
    inputs: [{ file: "app.bin", address: 0x08000000, bytes: image }],
  });
  equal(r.plan.totals.write, 3);
  equal(chip.fpec.stats.pageErases, 3);
  equal(chip.fpec.stats.halfWords, 3 * 512);
  equal(chip.fpec.stats.pgErrors, 0);
  equal(chip.flash[2999], (2999 * 7) & 0xff);
  equal(chip.flash[3000], 0xff); // the rest of the last page is erased ("fill" of the run)
  equal(chip.fpec.cr & 0x80, 0x80, "the stub locks the FPEC again");
  match(r.device.chip, /STM32F103C8/);
  equal(r.device.details?.flash, "64 KiB (register: 64 KiB)");
});

Deno.test("stm32f1: a probe wired to another chip is refused with a typed error", async () => {
  const { registry } = await setup();
  const ctx = createContext({ clock: new VirtualClock() });
  await rejects(
    flash(registry, ctx, {
      target: "stm32f103c8",
      connect: { probe: "sim:microbit-v2" },
      inputs: [{ file: "app.bin", address: 0x08000000, bytes: new Uint8Array(16) }],
    }),
    (e) => e instanceof DeviceError && /DEV_ID 0x0, not a STM32F103C8/.test(e.message),
  );
});

Deno.test("stm32f1: `?state=` keeps the simulated flash across CLI processes", async () => {
  const dir = await Deno.makeTempDir();
  const image = Uint8Array.from({ length: 4096 }, (_, i) => i & 0xff);
  await Deno.writeFile(`${dir}/app.bin`, image);
  const cli = (file: string) =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "../../cli.ts",
        "flash",
        `${file}@0x08000000`,
        "--probe",
        `sim:stm32f103c8?state=${dir}/flash.bin`,
        "--json",
      ],
      cwd: here,
      env: { NO_COLOR: "1" },
    }).output();
  const first = await cli(`${dir}/app.bin`);
  equal(first.code, 0, new TextDecoder().decode(first.stderr));
  image[1500] ^= 1;
  await Deno.writeFile(`${dir}/app2.bin`, image);
  const second = await cli(`${dir}/app2.bin`);
  equal(second.code, 0, new TextDecoder().decode(second.stderr));
  const j = JSON.parse(new TextDecoder().decode(second.stdout));
  equal(j.plan.totals.write, 1);
  const saved = await Deno.readFile(`${dir}/flash.bin`);
  equal(saved[1500], image[1500]);
  await Deno.remove(dir, { recursive: true });
});
