import { realpath } from "node:fs/promises";
import path from "node:path";
import { readEnv } from "./env.ts";

/**
 * The folders runs queued from the dashboard (or its API) may read: CXRLAB_DATA_ROOTS, none when
 * unset. `cxrlab train` and `cxrlab queue add` act with the user's own store credentials and are
 * not confined.
 */
export function dataRoots(source: NodeJS.ProcessEnv = process.env): string[] {
  return readEnv(source).CXRLAB_DATA_ROOTS ?? [];
}

/** A path refused because it is not inside a data root; `field` names the option that gave it. */
export class DataRootRefused extends Error {
  override name = "DataRootRefused";
  /** The refusal without the field's name (what a form shows under the field). */
  readonly reason: string;
  constructor(
    readonly field: string,
    roots: readonly string[],
  ) {
    // The same words whether the path exists or not, and without the path: a refusal must not
    // tell the caller anything about the server's folders beyond the roots it may use.
    const reason =
      roots.length === 0
        ? "this server lets no folder be used by runs queued from the dashboard; its administrator lists the allowed folders in CXRLAB_DATA_ROOTS"
        : `not a folder inside the data folders this server allows (CXRLAB_DATA_ROOTS: ${roots.join(", ")})`;
    super(`${field}: ${reason}`);
    this.reason = reason;
  }
}

/** A path to check, and the option (form field) it came from. */
export interface RootedPath {
  field: string;
  path: string;
}

const realOrNull = (p: string) => realpath(p).catch(() => null);

/** Whether `child` is `parent` or inside it (both real, absolute paths). */
function within(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return (
    relative === "" ||
    (relative !== ".." && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative))
  );
}

/**
 * The real path (symlinks resolved) of each of `paths`, in order, if every one is inside one of
 * `roots` (themselves resolved; a root that does not exist holds nothing). Throws DataRootRefused
 * for the first that is not, with one message for a missing path, an existing one outside the
 * roots, a relative one, and a symlink leading out of a root.
 */
export async function resolveInDataRoots(
  paths: readonly RootedPath[],
  roots: readonly string[] = dataRoots(),
): Promise<string[]> {
  const realRoots = (await Promise.all(roots.map(realOrNull))).filter((r): r is string => r !== null);
  const resolved: string[] = [];
  for (const { field, path: p } of paths) {
    const real = path.isAbsolute(p) ? await realOrNull(p) : null;
    if (real === null || !realRoots.some((root) => within(root, real)))
      throw new DataRootRefused(field, roots);
    resolved.push(real);
  }
  return resolved;
}
