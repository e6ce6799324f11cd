import { sharedPaths } from "@cxrlab/core/paths";
import type { Command } from "commander";
import { addTrainOptions, runTraining, type TrainFlags } from "./train.ts";
import { printTrainOutcome } from "./train-output.ts";

export function registerDemoCommand(program: Command): void {
  addTrainOptions(
    program
      .command("demo")
      .description("train on the bundled 120-image sample with ImageNet weights, test on a held-out part"),
    { preset: "quick", data: sharedPaths.sample() },
  ).action(async (flags: TrainFlags) => {
    const { result, artifacts, runId } = await runTraining(flags);
    printTrainOutcome(result, artifacts, runId, flags.json ?? false);
    if (result.status !== "succeeded") process.exitCode = 130;
  });
}
