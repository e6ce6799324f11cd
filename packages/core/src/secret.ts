import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { readEnv } from "./env.ts";
import { dataDir } from "./paths.ts";

/**
 * The server's secret: it signs session cookies and keys the credentials stored encrypted
 * (`sealSecret`): CXRLAB_AUTH_SECRET, else a random one kept in
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

/** What a sealed value starts with: the format's version. */
const SEALED = "v1.";

/** AES-256 key for `purpose`, derived (HKDF-SHA256) from the server's secret. */
function sealingKey(purpose: string, secret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "cxrlab", `cxrlab ${purpose}`, 32));
}

/**
 * Encrypts `plaintext` with AES-256-GCM under a key derived from the server's secret (random
 * 96-bit IV; `context`, e.g. the owner's name, is authenticated too, so a sealed value moved to
 * another owner does not open): "v1." and base64url of IV, tag and ciphertext.
 */
export function sealSecret(
  plaintext: string,
  purpose: string,
  context: string,
  secret = authSecret(),
): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", sealingKey(purpose, secret), iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `${SEALED}${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
}

/** The plaintext of `sealSecret`'s output, or null when it does not open (another secret, altered, another context). */
export function openSecret(
  sealed: string,
  purpose: string,
  context: string,
  secret = authSecret(),
): string | null {
  if (!sealed.startsWith(SEALED)) return null;
  const bytes = Buffer.from(sealed.slice(SEALED.length), "base64url");
  if (bytes.length < 28) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", sealingKey(purpose, secret), bytes.subarray(0, 12));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}
