import type { IngestReport, Store } from "@cxrlab/db";
import { type ArrivalPredictions, arrivalAuditEvents, queueArrivalPredictions } from "@cxrlab/queue";
import type { Audit } from "../auth/audit.ts";
import { withoutPaths } from "../http/responses.ts";
import { sharedQueue } from "./shared-queue.ts";

/**
 * Queues the prediction of an upload's (or a PACS pull's) new images by their project's default
 * model on the server's shared queue, as the system: the uploader needs only the right to add
 * images. Each job queued is audited as the uploader's; what was not queued says why, without
 * the server's paths. Never throws for the queue: the images are archived either way.
 */
export async function queueArrivedPredictions(
  store: Store,
  report: Pick<IngestReport, "new">,
  audit: Audit,
): Promise<ArrivalPredictions> {
  const arrival = await queueArrivalPredictions(store, report.new, () => sharedQueue(store));
  for (const event of arrivalAuditEvents(arrival)) await audit(event);
  return {
    ...arrival,
    notQueued: arrival.notQueued.map((n) => ({ ...n, reason: withoutPaths(n.reason) })),
  };
}
