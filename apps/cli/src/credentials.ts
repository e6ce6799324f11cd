import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { readEnv } from "@cxrlab/core/env";
import { z } from "zod";

/** What `cxrlab login` keeps: the dashboard it signed in to and the API token it made there. */
const ZCredentials = z.object({
  server: z.url(),
  token: z.string().regex(/^cxr_[A-Za-z0-9_-]+$/, "not a CXR Lab API token"),
});
export type Credentials = z.infer<typeof ZCredentials>;

/** $XDG_CONFIG_HOME/cxrlab/credentials.json (default ~/.config/cxrlab/credentials.json). */
export function credentialsFile(): string {
  const base = readEnv().XDG_CONFIG_HOME ?? path.join(os.homedir(), ".config");
  return path.join(path.resolve(base), "cxrlab", "credentials.json");
}

/** The stored credentials, or null when nobody is signed in; a damaged file is an error naming it. */
export function readCredentials(): Credentials | null {
  const file = credentialsFile();
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not JSON: remove it and run \`cxrlab login\` again`);
  }
  const parsed = ZCredentials.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "file"}: ${i.message}`).join("; ");
    throw new Error(`${file} holds no valid credentials (${issues}): run \`cxrlab login\` again`);
  }
  return parsed.data;
}

/** The stored credentials, or an error telling how to sign in. */
export function requireCredentials(): Credentials {
  const credentials = readCredentials();
  if (!credentials) throw new Error(`not signed in (no ${credentialsFile()}): run \`cxrlab login\` first`);
  return credentials;
}

/** Writes the file readable by its owner only: the token acts as the user. */
export function writeCredentials(credentials: Credentials): string {
  const file = credentialsFile();
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  // The mode above applies only when the file is created; an older file keeps its own.
  chmodSync(file, 0o600);
  return file;
}

/** Deletes the file; false when there was none. */
export function deleteCredentials(): boolean {
  const file = credentialsFile();
  try {
    rmSync(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
}
