import { espFamily } from "./faults/esp.ts";
import { runTrial } from "./faults/trial.ts";
import { Rng } from "./rng.ts";
const fam = espFamily();
await fam.prepare();
for (const fault of Object.keys(fam.faults)) {
  for (let i = 0; i < 4; i++) {
    const t0 = performance.now();
    const steps = await fam.trial(fault, new Rng(1, fault, i));
    if (!steps) {
      console.log(fault, i, "skip");
      continue;
    }
    const r = await runTrial(steps);
    console.log(fault, i, (performance.now() - t0).toFixed(0), "ms", JSON.stringify(r));
  }
}
