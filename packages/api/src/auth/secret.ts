import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { readEnv } from "@cxrlab/core/env";
import { dataDir } from "@cxrlab/core/paths";

/**
 * The key that signs session cookies: CXRLAB_AUTH_SECRET, else a random one kept in
 * ~/.local/share/cxrlab/auth-secret (made on first use, readable by its owner only), so a single
 * machine needs no setup and sessions survive restarts.
 */
export function authSecret(): string {
  const fromEnv = readEnv().CXRLAB_AUTH_SECRET;
  if (fromEnv) return fromEnv;
  const file = path.join(dataDir(), "auth-secret");
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    mkdirSync(path.dirname(file), { recursive: true });
    try {
      // "wx": when two processes start at once, the second reads what the first wrote.
      writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600, flag: "wx" });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    return readFileSync(file, "utf8").trim();
  }
}
