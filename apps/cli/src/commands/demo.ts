import { sharedPaths } from "@cxrlab/core/paths";
import { DEFAULT_PROJECT, withStore } from "@cxrlab/db";
import type { Command } from "commander";
import { createFirstAdmin, formatFirstAdmin } from "../first-admin.ts";
import { nonNegativeInt } from "../options.ts";
import { DEFAULT_PORT, serveDashboard } from "./serve.ts";
import { addTrainOptions, type TrainFlags, trainFromCli } from "./train.ts";
import { printTrainOutcome } from "./train-output.ts";

interface DemoFlags extends TrainFlags {
  serve: boolean;
  port: number;
}

export function registerDemoCommand(program: Command): void {
  addTrainOptions(
    program
      .command("demo")
      .description(
        "train on the bundled 120-image sample with ImageNet weights, test on a held-out part, " +
          "then serve the dashboard on the run (on a store without accounts, first make an admin " +
          "and print its one-time password)",
      ),
    { preset: "quick", data: sharedPaths.sample() },
  )
    .option("--no-serve", "stop after training instead of serving the dashboard")
    .option("--port <n>", "dashboard port (default: 3000, or any free port if it is busy)", nonNegativeInt)
    .action(async (flags: DemoFlags) => {
      const { result, artifacts, runId } = await trainFromCli(flags);
      const json = flags.json ?? false;
      printTrainOutcome(result, artifacts, runId, json);
      if (result.status !== "succeeded") {
        process.exitCode = 130;
        return;
      }
      // After a successful run only: an interrupted demo leaves no account whose password scrolled away.
      const admin = await withStore((store) =>
        createFirstAdmin(store, [flags.project ?? DEFAULT_PROJECT, DEFAULT_PROJECT]),
      );
      // --json keeps stdout for the run's result.
      if (admin) (json ? process.stderr : process.stdout).write(formatFirstAdmin(admin));
      if (!flags.serve) return;
      await serveDashboard({
        host: "127.0.0.1",
        port: flags.port ?? DEFAULT_PORT,
        anyPortIfBusy: flags.port === undefined,
        runId,
        // --json keeps stdout for the run's result.
        ...(json ? { out: process.stderr } : {}),
      });
    });
}
