import { readdirSync } from "node:fs";
import path from "node:path";
import { type BackendName, describeBackend, selectBackend } from "@cxrlab/core/backend";
import { hasCheckpoint } from "@cxrlab/core/train";
import { imagesWithoutPrediction, runModel, updateRunStatus, withStore } from "@cxrlab/db";
import { useBackend } from "./backend.ts";
import { confineQueuedJob } from "./job-paths.ts";
import type { EvaluateJob, PredictImagesJob, PredictJob, TrainJob } from "./jobs.ts";
import { openQueue } from "./open-queue.ts";
import { createProgressBar } from "./progress-bar.ts";
import { markRunAfterFailedAttempt } from "./run-status.ts";
import { runEvaluation } from "./runners/evaluate.ts";
import { runPrediction } from "./runners/predict.ts";
import { predictArchivedImages } from "./runners/predict-images.ts";
import { runTraining } from "./runners/train.ts";
import { type JobContext, type JobRunner, runWorker, type WorkerSummary } from "./worker.ts";

export interface QueueWorkerOptions {
  /** Folder of run folders, one sub-folder per training job. */
  out: string;
  /** Seconds a job stays this worker's without renewal. */
  lease: number;
  backend?: BackendName;
  /** Jobs run at once. */
  concurrency?: number;
  once?: boolean;
  /** Stops the worker: a running job is stopped after its batch and handed back for a retry. */
  signal?: AbortSignal;
}

/**
 * Runs the jobs of the store's queue with the same runners as `cxrlab train`, `evaluate` and
 * `predict` until stopped (or, with `once`, until none is due). Used by the trainer app (the
 * worker process), `cxrlab worker` and `cxrlab serve` on a SQLite store.
 */
export async function runQueueWorker(
  options: QueueWorkerOptions,
): Promise<WorkerSummary & { backend: BackendName }> {
  const url = await withStore(async (store) => store.target.url);
  const queue = await openQueue(url, { maintenanceSeconds: options.lease });
  try {
    // Said once up front: every job this worker runs uses it, and training runs record it.
    const backend = await selectBackend(options.backend);
    process.stderr.write(`worker: backend ${describeBackend(backend)}\n`);
    const summary = await runWorker({
      queue,
      run: jobRunner(options),
      once: options.once ?? false,
      leaseSeconds: options.lease,
      concurrency: options.concurrency ?? 1,
      ...(options.signal ? { signal: options.signal } : {}),
      onFailed: (claimed, state, error) =>
        withStore((store) => markRunAfterFailedAttempt(store, claimed.job, state, error.message)),
    });
    return { backend: backend.name, ...summary };
  } finally {
    await queue.close();
  }
}

function jobRunner(options: QueueWorkerOptions): JobRunner {
  return (job, context) => {
    switch (job.kind) {
      case "train":
        return runTrainJob(job, context, options);
      case "evaluate":
        return runEvaluateJob(job, context, options);
      case "predict":
        return runPredictJob(job, context, options);
      case "predict-images":
        return runPredictImagesJob(job, context, options);
    }
  };
}

/** The newest run folder under `dir` with a finished epoch, if any. */
function lastCheckpointedRun(dir: string): string | undefined {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return undefined;
  }
  return names
    .map((name) => path.join(dir, name))
    .filter(hasCheckpoint)
    .at(-1);
}

/**
 * Trains a queued run in a folder named after the job: a retried job (its worker died) resumes
 * from the last epoch checkpointed there.
 */
async function runTrainJob(queued: TrainJob, context: JobContext, options: QueueWorkerOptions) {
  // A job queued from the dashboard reads only inside CXRLAB_DATA_ROOTS, checked again here.
  const job = (await withStore((store) => confineQueuedJob(store, queued))) as TrainJob;
  const out = path.join(options.out, context.id);
  const resume = lastCheckpointedRun(out);
  if (resume) context.log(`worker: resuming job ${context.id} from ${resume}`);
  const { result, runId } = await runTraining(
    {
      ...job.options,
      out,
      ...(resume ? { resume } : {}),
      ...(options.backend ? { backend: options.backend } : {}),
    },
    { signal: context.signal, runId: job.runId, onProgress: createProgressBar() },
  );
  if (context.cancelled()) {
    await withStore((store) =>
      updateRunStatus(store, runId, "cancelled", {
        message: `cancelled after ${result.history.length} epoch(s)`,
      }),
    );
  }
  return { runId, runDir: result.runDir, status: result.status, backend: result.backend.name };
}

/**
 * A model job's request: its options, the run's saved model (or an error naming the run) and the
 * worker's forced backend, if any.
 */
async function modelJobRequest<J extends EvaluateJob | PredictJob>(
  queued: J,
  context: JobContext,
  options: QueueWorkerOptions,
): Promise<
  J["options"] & {
    model: string;
    backend?: BackendName;
    signal: AbortSignal;
    onProgress: ReturnType<typeof createProgressBar>;
  }
> {
  // Only a CLI-made model job reads outside CXRLAB_DATA_ROOTS.
  const job = (await withStore((store) => confineQueuedJob(store, queued))) as J;
  const run = await withStore((store) => runModel(store, job.runId));
  if (!run) throw new Error(`run ${job.runId} is not in the store`);
  if (!run.modelLocation) throw new Error(`run ${job.runId} (${run.name}) has no saved model`);
  return {
    ...job.options,
    model: run.modelLocation,
    ...(options.backend ? { backend: options.backend } : {}),
    signal: context.signal,
    onProgress: createProgressBar(),
  };
}

async function runEvaluateJob(job: EvaluateJob, context: JobContext, options: QueueWorkerOptions) {
  const { backend, runId, result } = await runEvaluation(await modelJobRequest(job, context, options));
  const { accuracy, loss, macroAuc, count } = result.metrics;
  return { runId, backend, split: `folder:${path.resolve(result.dataDir)}`, count, accuracy, loss, macroAuc };
}

async function runPredictJob(job: PredictJob, context: JobContext, options: QueueWorkerOptions) {
  const { backend, runId, result } = await runPrediction(await modelJobRequest(job, context, options));
  return { runId, backend, predictions: result.predictions.length, skipped: result.skipped.length };
}

/**
 * Predicts the job's archived images that its run has not predicted yet (another job or
 * `cxrlab predict --patient` may have since) and caches their Grad-CAM; images deleted since it was
 * queued are left out (`skipped`).
 */
async function runPredictImagesJob(job: PredictImagesJob, context: JobContext, options: QueueWorkerOptions) {
  const backend = await useBackend(options.backend);
  return withStore(async (store) => {
    const run = await runModel(store, job.runId);
    if (!run) throw new Error(`run ${job.runId} is not in the store`);
    if (!run.modelLocation) throw new Error(`run ${job.runId} (${run.name}) has no saved model`);
    const images = await imagesWithoutPrediction(store, job.runId, job.options.imageIds);
    const predictions = await predictArchivedImages(
      store,
      { id: job.runId, modelDir: run.modelLocation },
      images,
      {
        ...(job.options.batchSize ? { batchSize: job.options.batchSize } : {}),
        signal: context.signal,
        onProgress: createProgressBar(),
      },
    );
    return {
      runId: job.runId,
      backend: backend.name,
      predictions: predictions.length,
      skipped: job.options.imageIds.length - images.length,
    };
  });
}
