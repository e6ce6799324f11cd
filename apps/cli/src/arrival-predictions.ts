import type { IngestReport, Store } from "@cxrlab/db";
import {
  type ArrivalPredictions,
  arrivalAuditEvents,
  type JobQueue,
  openQueue,
  queueArrivalPredictions,
} from "@cxrlab/queue";
import { auditCli } from "./cli-audit.ts";

/**
 * Queues the prediction of an ingest's (or a PACS pull's) new images by their project's default
 * model, on the store's queue (opened only when there is a job for it), and audits each job
 * queued. Never fails the ingest: what was not queued, and why, is in the answer.
 */
export async function queueIngestPredictions(
  store: Store,
  report: Pick<IngestReport, "new">,
): Promise<ArrivalPredictions> {
  let queue: Promise<JobQueue> | undefined;
  try {
    const arrival = await queueArrivalPredictions(store, report.new, () => {
      queue ??= openQueue(store);
      return queue;
    });
    for (const event of arrivalAuditEvents(arrival)) await auditCli(store, event);
    return arrival;
  } finally {
    await queue?.then(
      (q) => q.close(),
      () => undefined,
    );
  }
}
