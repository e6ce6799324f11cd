import type { Store } from "@cxrlab/db";
import { type JobQueue, openQueue } from "@cxrlab/queue";

// One queue per store per process (opening pg-boss starts a connection pool and its supervisor),
// kept on globalThis so a dev server's module reloads reuse it.
const SHARED = Symbol.for("cxrlab.api.queues");
type WithQueues = typeof globalThis & { [SHARED]?: WeakMap<Store, Promise<JobQueue>> };

/** The job queue of `store`'s database, opened on first use and kept as long as the store. */
export function sharedQueue(store: Store): Promise<JobQueue> {
  const g = globalThis as WithQueues;
  g[SHARED] ??= new WeakMap();
  const queues = g[SHARED];
  let queue = queues.get(store);
  if (!queue) {
    queue = openQueue(store);
    queues.set(store, queue);
    // A failed open is not cached: the next request tries again.
    queue.catch(() => queues.delete(store));
  }
  return queue;
}
