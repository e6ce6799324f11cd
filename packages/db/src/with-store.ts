import { execFileSync } from "node:child_process";
import { REPO_ROOT } from "@cxrlab/core/paths";
import { migrate } from "./migrate.ts";
import { openStore, type Store } from "./store.ts";

/**
 * Opens the experiment store (DATABASE_URL, or the per-user SQLite file), brings its schema up to
 * date with the committed migrations, runs `fn` and closes it.
 */
export async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore();
  try {
    const applied = await migrate(store);
    for (const name of applied) process.stderr.write(`store: applied migration ${name}\n`);
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Where the store lives, without a password. */
export function describeStore(store: Store): string {
  return store.target.file ?? store.target.url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}

/** The checkout's commit, recorded with each run; "unknown" outside a git checkout. */
export function codeVersion(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "ignore"],
    })
      .toString()
      .trim();
  } catch {
    return "unknown";
  }
}
