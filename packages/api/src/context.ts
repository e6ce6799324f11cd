import { migrate, openStore, type Store } from "@cxrlab/db";

export interface Context {
  store: Store;
}

// One store per process, kept on globalThis so a dev server's module reloads reuse it.
const SHARED = Symbol.for("cxrlab.api.store");
type WithStore = typeof globalThis & { [SHARED]?: Promise<Store> };

/** The process-wide store (DATABASE_URL, else the per-user SQLite file), migrated on first open. */
export function sharedStore(): Promise<Store> {
  const g = globalThis as WithStore;
  g[SHARED] ??= openStore().then(async (store) => {
    await migrate(store);
    return store;
  });
  // A failed open is not cached: the next request tries again.
  g[SHARED].catch(() => {
    delete g[SHARED];
  });
  return g[SHARED];
}

/** The tRPC context: the given store (tests) or the process-wide one. */
export async function createContext(options: { store?: Store } = {}): Promise<Context> {
  return { store: options.store ?? (await sharedStore()) };
}
