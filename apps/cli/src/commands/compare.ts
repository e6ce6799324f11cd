import { DEFAULT_RESAMPLES, describeBootstrap, formatFixed, formatInterval } from "@cxrlab/core/metrics";
import { compareRunPredictions, withStore } from "@cxrlab/db";
import type { Command } from "commander";
import { nonNegativeInt, positiveInt } from "../options.ts";

interface CompareFlags {
  resamples: number;
  seed: number;
  json?: boolean;
}

export function registerCompareCommand(program: Command): void {
  program
    .command("compare")
    .description("compare two runs' accuracy on the test images both predicted (paired bootstrap, McNemar)")
    .argument("<runA>", "run id", positiveInt)
    .argument("<runB>", "run id", positiveInt)
    .option("--resamples <n>", "bootstrap resamples of the 95% interval", positiveInt, DEFAULT_RESAMPLES)
    .option("--seed <n>", "seed of the bootstrap", nonNegativeInt, 0)
    .option("--json", "print JSON")
    .action(async (idA: number, idB: number, flags: CompareFlags) => {
      const comparison = await withStore((store) =>
        compareRunPredictions(store, idA, idB, { resamples: flags.resamples, seed: flags.seed }),
      );
      if (flags.json) {
        console.log(JSON.stringify(comparison));
        return;
      }
      const f = (v: number) => formatFixed(v, 4);
      const { runA, runB, b, c } = comparison;
      console.log(
        `run ${runA.id} (${runA.name}) vs run ${runB.id} (${runB.name}): ${comparison.n} test images predicted by both`,
      );
      console.log(
        `accuracy: run ${runA.id} ${f(comparison.accuracyA)}, run ${runB.id} ${f(comparison.accuracyB)}`,
      );
      console.log(
        `difference (run ${runA.id} - run ${runB.id}) ${formatInterval(comparison.difference)} (${describeBootstrap(comparison)})`,
      );
      console.log(
        `discordant: b = ${b} only run ${runA.id} right, c = ${c} only run ${runB.id} right; ` +
          `exact McNemar p = ${comparison.mcnemarP.toPrecision(4)}`,
      );
    });
}
