import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { mkdirPrivate, PRIVATE_FILE_MODE } from "@cxrlab/core/private-files";

export interface StoredContent {
  sha256: string;
  /** `<root>/<sha256[0:2]>/<sha256>.<ext>`. */
  location: string;
  /** False when the store already held these bytes. */
  created: boolean;
}

export const sha256Of = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/**
 * Puts bytes in the content-addressed store under `root`. Written to a temporary file beside
 * the target and renamed, so a reader (or a crash) never sees a partial file.
 */
export async function putContent(root: string, bytes: Uint8Array, ext: string): Promise<StoredContent> {
  const sha256 = sha256Of(bytes);
  // The store's folder is the server's runtime data, not part of the app: the bundler must not trace it.
  const location = path.join(
    /* turbopackIgnore: true */ path.resolve(root),
    sha256.slice(0, 2),
    `${sha256}.${ext}`,
  );
  if (existsSync(/* turbopackIgnore: true */ location)) return { sha256, location, created: false };
  // The user's alone: 0700 folders, 0600 files (see core's private-files).
  await mkdirPrivate(path.dirname(location));
  const temp = `${location}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(temp, bytes, { mode: PRIVATE_FILE_MODE, flag: "wx" });
    await rename(temp, location);
  } catch (error) {
    await rm(temp, { force: true });
    throw new Error(`image store ${root}: cannot write ${location}: ${(error as Error).message}`);
  }
  return { sha256, location, created: true };
}

export async function removeContent(location: string): Promise<void> {
  await rm(location, { force: true });
}
