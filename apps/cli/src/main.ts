import { readEnv } from "@cxrlab/core/env";
import { Command, CommanderError } from "commander";
import { registerCompareCommand } from "./commands/compare.ts";
import { registerDatasetsCommand } from "./commands/datasets.ts";
import { registerDbCommand } from "./commands/db.ts";
import { registerDemoCommand } from "./commands/demo.ts";
import { registerEvaluateCommand } from "./commands/evaluate.ts";
import { registerIngestCommand } from "./commands/ingest.ts";
import { registerLoginCommands } from "./commands/login.ts";
import { registerModelCommand } from "./commands/model.ts";
import { registerMonitorCommand } from "./commands/monitor.ts";
import { registerPacsCommand } from "./commands/pacs.ts";
import { registerPatientsCommand } from "./commands/patients.ts";
import { registerPredictCommand } from "./commands/predict.ts";
import { registerProjectsCommand } from "./commands/projects.ts";
import { registerQueueCommand } from "./commands/queue.ts";
import { registerReviewsCommand } from "./commands/reviews.ts";
import { registerRunsCommand } from "./commands/runs.ts";
import { registerServeCommand } from "./commands/serve.ts";
import { registerTrainCommand } from "./commands/train.ts";
import { registerUsersCommand } from "./commands/users.ts";
import { registerWorkerCommand } from "./commands/worker.ts";

const program = new Command("cxrlab")
  .description("CXR Lab: train, check and use chest X-ray classifiers")
  .showHelpAfterError()
  .exitOverride();

registerTrainCommand(program);
registerEvaluateCommand(program);
registerPredictCommand(program);
registerModelCommand(program);
registerDemoCommand(program);
registerRunsCommand(program);
registerCompareCommand(program);
registerIngestCommand(program);
registerPatientsCommand(program);
registerReviewsCommand(program);
registerMonitorCommand(program);
registerDatasetsCommand(program);
registerPacsCommand(program);
registerServeCommand(program);
registerDbCommand(program);
registerQueueCommand(program);
registerWorkerCommand(program);
registerUsersCommand(program);
registerProjectsCommand(program);
registerLoginCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  console.error(`cxrlab: ${(err as Error).message}`);
  if (readEnv().CXRLAB_DEBUG) console.error((err as Error).stack);
  process.exit(1);
}
