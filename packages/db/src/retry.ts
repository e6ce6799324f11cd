/**
 * SQLite's busy timeout covers waiting for a lock, but a transaction that started reading and then
 * needs to write fails at once with SQLITE_BUSY when another process wrote first (WAL snapshot
 * conflict); PostgreSQL reports serialization conflicts the same way (P2034). Such a write is
 * retried from the start.
 */
export async function retryWhenBusy<T>(work: () => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isBusy(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt * Math.random()));
    }
  }
}

interface PrismaErrorShape {
  code?: unknown;
  meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } };
}

function isBusy(error: unknown): boolean {
  const { code, meta } = (error ?? {}) as PrismaErrorShape;
  const driverCode = meta?.driverAdapterError?.cause?.originalCode;
  return code === "P2034" || (typeof driverCode === "string" && driverCode.startsWith("SQLITE_BUSY"));
}
