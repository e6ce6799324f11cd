import { imagesWithoutPrediction, projectDefaultModel, type Store } from "@cxrlab/db";
import type { JobQueue } from "./queue.ts";

/** An image that has just entered the archive, and the project it entered. */
export interface ArrivedImage {
  imageId: number;
  projectId: number | null;
}

/** A prediction job queued for a project's new images. */
export interface QueuedArrivalJob {
  jobId: string;
  /** The run whose model predicts them: the project's default model when they arrived. */
  runId: number;
  projectId: number;
  images: number;
}

/** What became of the new images: predictions queued, and for the others why not. */
export interface ArrivalPredictions {
  /** Images queued for prediction, over every job. */
  queued: number;
  jobs: QueuedArrivalJob[];
  notQueued: { projectId: number | null; images: number; reason: string }[];
}

/**
 * Queues a prediction job (predict-images) for the images that have just arrived in each project
 * that has a default model, with that model, leaving out images it has already predicted. It never
 * throws: whatever stops a project's images from being queued (no default model, a queue that
 * cannot be written) is reported in `notQueued`, so the ingest that brought them stays a success.
 * `queue` is opened only when there is a job to queue.
 */
export async function queueArrivalPredictions(
  store: Store,
  arrived: readonly ArrivedImage[],
  queue: () => Promise<JobQueue>,
): Promise<ArrivalPredictions> {
  const result: ArrivalPredictions = { queued: 0, jobs: [], notQueued: [] };
  const byProject = new Map<number | null, number[]>();
  for (const { imageId, projectId } of arrived)
    byProject.set(projectId, [...(byProject.get(projectId) ?? []), imageId]);
  for (const [projectId, imageIds] of byProject) {
    const notQueued = (images: number, reason: string) =>
      result.notQueued.push({ projectId, images, reason });
    if (projectId === null) {
      notQueued(imageIds.length, "the images belong to no project");
      continue;
    }
    try {
      const promotion = await projectDefaultModel(store, projectId);
      if (!promotion) {
        const project = await store.prisma.project.findUnique({
          where: { id: projectId },
          select: { name: true },
        });
        notQueued(imageIds.length, `project "${project?.name ?? projectId}" has no default model`);
        continue;
      }
      const pending = await imagesWithoutPrediction(store, promotion.runId, imageIds);
      if (pending.length < imageIds.length)
        notQueued(imageIds.length - pending.length, `already predicted by run ${promotion.runId}`);
      if (!pending.length) continue;
      const jobId = await (await queue()).enqueue({
        kind: "predict-images",
        runId: promotion.runId,
        options: { imageIds: pending.map((i) => i.id) },
      });
      result.jobs.push({ jobId, runId: promotion.runId, projectId, images: pending.length });
      result.queued += pending.length;
    } catch (error) {
      notQueued(imageIds.length, `the prediction could not be queued: ${lastLine(error)}`);
    }
  }
  return result;
}

/** An error's last line: a database client's message ends with the cause, after where it was called. */
function lastLine(error: unknown): string {
  const lines = String(error instanceof Error ? error.message : error).split("\n");
  return (
    lines
      .map((l) => l.trim())
      .filter(Boolean)
      .at(-1) ?? "unknown error"
  );
}

/** One sentence for a report: how many predictions were queued, with which runs, and why others were not. */
export function describeArrivalPredictions(arrival: ArrivalPredictions): string {
  const plural = (n: number) => `${n} image${n === 1 ? "" : "s"}`;
  const queued = arrival.jobs.map((j) => `${plural(j.images)} with run ${j.runId} (job ${j.jobId})`);
  const not = arrival.notQueued.map((n) => `${plural(n.images)} not queued: ${n.reason}`);
  const head = `${arrival.queued} prediction${arrival.queued === 1 ? "" : "s"} queued`;
  return [queued.length ? `${head}: ${queued.join(", ")}` : head, ...not].join("; ");
}

/** The audit events of the jobs queued (the caller adds who acted): `predictions.queue` per job. */
export function arrivalAuditEvents(arrival: ArrivalPredictions) {
  return arrival.jobs.map((job) => ({
    action: "predictions.queue",
    targetType: "run",
    targetId: String(job.runId),
    projectId: job.projectId,
    details: { jobId: job.jobId, images: job.images, trigger: "arrival" },
  }));
}
