import { type RootedPath, resolveInDataRoots } from "@cxrlab/core/data-roots";
import type { Store } from "@cxrlab/db";
import type { Job } from "./jobs.ts";

/**
 * Whether the worker may take `job`'s paths as they are: only a job `cxrlab queue add|evaluate|predict`
 * wrote (origin "cli", which runs.create never sets), and for training only when no account
 * created its run (the CLI's runs have none; runs.create records the caller). Nothing in the check
 * comes from a dashboard user's input.
 */
async function trustedJob(store: Store, job: Exclude<Job, { kind: "predict-images" }>): Promise<boolean> {
  if (job.origin !== "cli") return false;
  if (job.kind !== "train") return true;
  const run = await store.prisma.run.findUnique({ where: { id: job.runId }, select: { createdById: true } });
  return run !== null && run.createdById === null;
}

/**
 * The job a worker runs: a CLI-made job as it is; any other (queued from the dashboard or its API,
 * or by a server of another version) with every folder or file it reads resolved to its real path
 * inside CXRLAB_DATA_ROOTS, else DataRootRefused (checked again here, not only when queued: the
 * roots may have changed and the queue row may come from a server without the check). Options the
 * dashboard never sets and that would read outside the roots (`weights`) are refused the same way.
 */
export async function confineQueuedJob(store: Store, job: Job): Promise<Job> {
  // Archived images by id: the files are the ones the store recorded, whoever queued the job.
  if (job.kind === "predict-images") return job;
  if (await trustedJob(store, job)) return job;
  switch (job.kind) {
    case "train": {
      const { data, test, patients, weights } = job.options;
      // A dataset version is laid out by the worker from the store, outside the roots by design.
      const paths: RootedPath[] = [
        ...(data !== undefined ? [{ field: "data", path: data }] : []),
        ...(test !== undefined ? [{ field: "test", path: test }] : []),
        ...(patients !== undefined ? [{ field: "patients", path: patients }] : []),
        // A path, a URL or "none": the dashboard offers none of them, so only a folder in the roots passes.
        ...(weights !== undefined ? [{ field: "weights", path: weights }] : []),
      ];
      const real = await resolveInDataRoots(paths);
      const byField = Object.fromEntries(paths.map((p, i) => [p.field, real[i]!]));
      return { ...job, options: { ...job.options, ...byField } };
    }
    case "evaluate": {
      const [data] = await resolveInDataRoots([{ field: "data", path: job.options.data }]);
      return { ...job, options: { ...job.options, data: data! } };
    }
    case "predict": {
      const inputs = await resolveInDataRoots(job.options.inputs.map((p) => ({ field: "inputs", path: p })));
      return { ...job, options: { ...job.options, inputs } };
    }
  }
}
