import { migrate, openStore, type Store } from "@cxrlab/db";
import { resolveViewer, type Viewer } from "./auth/viewer.ts";

export interface Context {
  store: Store;
  /** The signed-in account, or null for an anonymous request. */
  viewer: Viewer | null;
  /** The request's headers (client address and user agent for the audit log). */
  headers: Headers;
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

/**
 * The tRPC context for a request with `headers` (session cookie or API token), on the given store
 * (tests) or the process-wide one. Without headers the caller is anonymous.
 */
export async function createContext(options: { store?: Store; headers?: Headers } = {}): Promise<Context> {
  const store = options.store ?? (await sharedStore());
  const headers = options.headers ?? new Headers();
  return { store, headers, viewer: await resolveViewer(store, headers) };
}
