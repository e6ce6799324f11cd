import { configFromOverrides } from "@cxrlab/core/train-overrides";
import { createRun, DatasetRefused, findDatasetVersion, type Store, updateRunStatus } from "@cxrlab/db";
import { type JobQueue, type TrainJobOptions, trainingOverrides, trainJobSchema } from "@cxrlab/queue";
import { parseDatasetRef } from "@cxrlab/validators/datasets";

export interface QueueRunRequest {
  /** The project the run belongs to (checked for access by the caller). */
  projectId: number;
  /** The account that queues it. */
  createdById: string;
  /** `cxrlab train`'s options, with paths as the workers see them. */
  options: TrainJobOptions;
}

export interface QueuedRun {
  runId: number;
  jobId: string;
}

/**
 * Queues a training run the way `cxrlab queue add` does: the options are checked against the job
 * schema, the preset plus their overrides against core's config schema (a ZodError names the
 * option at fault), then the run is created (status queued) with the config the worker will train
 * and its job is queued.
 */
export async function queueRun(store: Store, queue: JobQueue, request: QueueRunRequest): Promise<QueuedRun> {
  const project = await store.prisma.project.findUnique({
    where: { id: request.projectId },
    select: { name: true },
  });
  if (!project) throw new Error(`no project with id ${request.projectId}`);
  // A dataset version is the project's: the worker looks it up there.
  const options = trainJobSchema.shape.options.parse(
    request.options.dataset ? { ...request.options, project: project.name } : request.options,
  );
  const dataset = options.dataset
    ? await findDatasetVersion(store, project.name, parseDatasetRef(options.dataset))
    : null;
  if (options.dataset && !dataset)
    throw new DatasetRefused(`no dataset ${options.dataset} in project ${project.name}`);
  const config = configFromOverrides(options.preset, trainingOverrides(options));
  const run = await createRun(store, {
    config,
    project: project.name,
    createdById: request.createdById,
    ...(dataset ? { datasetVersionId: dataset.id } : {}),
    ...(options.tag ? { tags: options.tag } : {}),
  });
  try {
    const jobId = await queue.enqueue({ kind: "train", runId: run.id, options });
    return { runId: run.id, jobId };
  } catch (err) {
    // Without its job nothing would ever train the run: it would stay queued for good.
    await updateRunStatus(store, run.id, "failed", {
      message: `could not be queued: ${(err as Error).message}`,
    });
    throw err;
  }
}
