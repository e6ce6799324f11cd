import path from "node:path";
import type { RouterInputs, RouterOutputs } from "@cxrlab/api";
import { DEFAULT_PROJECT } from "@cxrlab/db";
import type { Command } from "commander";
import type { TrainFlags } from "./commands/train.ts";
import { signedIn } from "./remote.ts";

type CreateRunInput = RouterInputs["runs"]["create"];
type QueuedRun = RouterOutputs["runs"]["create"];
type CancelledRun = RouterOutputs["runs"]["cancel"];

/**
 * The `queue add` options a dashboard's runs.create takes (its input's fields; --project is sent
 * as the project's id), and those that only shape this command's own output. The type checks that
 * the list names every field of the input but projectId, and nothing else.
 */
const API_FIELDS = [
  "preset",
  "name",
  "epochs",
  "batchSize",
  "lr",
  "freezeUntil",
  "imageSize",
  "seed",
  "views",
  "limitPerClass",
  "data",
  "dataset",
  "test",
  "tag",
] as const satisfies readonly (keyof CreateRunInput)[];
type UnlistedField = Exclude<keyof CreateRunInput, (typeof API_FIELDS)[number] | "projectId">;
const allListed: [UnlistedField] extends [never] ? true : UnlistedField = true;
void allListed;
const REMOTE_RUN_OPTIONS: ReadonlySet<string> = new Set([...API_FIELDS, "project", "json", "remote"]);

/**
 * Refuses, naming each, the options given on the command line that the API cannot take (weights,
 * patients, tags, the run folder…): queuing without them would train something else than asked.
 */
export function refuseLocalOnlyOptions(cmd: Command): void {
  const refused = cmd.options
    .filter((option) => {
      const source = cmd.getOptionValueSource(option.attributeName());
      return source !== undefined && source !== "default" && !REMOTE_RUN_OPTIONS.has(option.attributeName());
    })
    .map((option) => option.long ?? option.flags);
  if (refused.length > 0) {
    throw new Error(
      `--remote: the dashboard's API does not take ${refused.join(", ")}; ` +
        "leave them out, or queue on the local store without --remote",
    );
  }
}

/** The id of the project called `name` among the account's projects (any role: the server checks it). */
async function projectId({ api, at, server }: ReturnType<typeof signedIn>, name: string): Promise<number> {
  const projects = await at(() => api.projects.list.query());
  const project = projects.find((p) => p.name === name);
  if (!project) {
    const yours = projects.map((p) => p.name).join(", ") || "none";
    throw new Error(
      `--project ${name}: you are not a member of such a project at ${server} (yours: ${yours})`,
    );
  }
  return project.id;
}

/**
 * Queues a training run through the dashboard's runs.create as the signed-in account: the same
 * run and job `queue add` makes on the local store, in the named project, created by the account.
 * Paths are resolved here, as the local command does; the workers must see the same ones.
 */
export async function queueRunRemotely(flags: TrainFlags, cmd: Command): Promise<QueuedRun> {
  const dashboard = signedIn();
  const input: Record<string, unknown> = {
    projectId: await projectId(dashboard, flags.project ?? DEFAULT_PROJECT),
  };
  for (const key of API_FIELDS) {
    const value = flags[key as keyof TrainFlags];
    if (value !== undefined) input[key] = value;
  }
  if (flags.data) input.data = path.resolve(flags.data);
  if (flags.test) input.test = path.resolve(flags.test);
  // The server checks the values (the job and config schemas) and names the field it refuses,
  // which is told here as the flag that set it.
  return dashboard
    .at(() => dashboard.api.runs.create.mutate(input as CreateRunInput))
    .catch((error: Error) => {
      error.message = error.message.replace(/→ at (\w+)/g, (whole, field: string) => {
        const option = cmd.options.find((o) => o.attributeName() === field);
        return option?.long ? `→ at ${option.long}` : whole;
      });
      throw error;
    });
}

/** Cancels a run's training job(s) through the dashboard's runs.cancel as the signed-in account. */
export function cancelRunRemotely(runId: number): Promise<CancelledRun> {
  const { api, at } = signedIn();
  return at(() => api.runs.cancel.mutate({ id: runId }));
}
