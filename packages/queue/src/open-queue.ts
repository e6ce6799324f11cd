import { openStore, type Store } from "@cxrlab/db";
import { type JobQueue, openPostgresQueue, type PostgresQueueOptions } from "./queue.ts";
import { openSqliteQueue, type SqliteQueueOptions } from "./sqlite-queue.ts";

export type QueueOptions = PostgresQueueOptions & SqliteQueueOptions;

/**
 * The job queue of a store: pg-boss in a PostgreSQL store, the `Job` table in a SQLite file. Given
 * a URL it opens (and on close closes) the store itself; given an open Store it uses that one.
 */
export async function openQueue(store: Store | string, options: QueueOptions = {}): Promise<JobQueue> {
  const url = typeof store === "string" ? store : store.target.url;
  const postgres = /^postgres(ql)?:\/\//.test(url);
  if (!postgres && !url.startsWith("file:"))
    throw new Error(`no job queue for the store ${url.split(":")[0]}:...`);
  // The queue changes runs too (see markRunAfterFailedAttempt), through a store of its own if need be.
  const own = typeof store === "string" ? await openStore(url) : undefined;
  const runs = own ?? (store as Store);
  try {
    const queue = postgres
      ? await openPostgresQueue(url, { ...options, store: runs })
      : openSqliteQueue(runs, options);
    return own ? { ...queue, close: () => queue.close().finally(() => own.close()) } : queue;
  } catch (err) {
    await own?.close();
    throw err;
  }
}
