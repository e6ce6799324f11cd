/**
 * What CXR Lab keeps at rest (the SQLite store, the image store, thumbnail, Grad-CAM, ONNX and
 * weights caches) is patient data or derived from it: the folders it creates are its user's alone
 * (0700) and so are the files it writes (0600), whatever the umask. Folders that already exist keep
 * their mode: a team that shares a store folder on purpose says so with its own permissions.
 */
import { mkdirSync } from "node:fs";
import { mkdir } from "node:fs/promises";

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** `mkdir -p` with every folder it creates 0700. */
export async function mkdirPrivate(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** mkdirPrivate, synchronously. */
export function mkdirPrivateSync(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}
