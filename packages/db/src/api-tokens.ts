import { createHash, randomBytes } from "node:crypto";
import type { Store } from "./store.ts";

/** Every token starts with this, so a leaked one is recognisable (and secret scanners can match it). */
export const API_TOKEN_PREFIX = "cxr_";
/** How many characters after `cxr_` are kept in the clear to tell tokens apart in a list. */
const SHOWN_CHARS = 8;
/** lastUsedAt is written at most this often, so authenticating a busy CLI is not a write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;
const DAY_MS = 86_400_000;
/** A token's life when whoever mints it names none. */
export const DEFAULT_API_TOKEN_DAYS = 90;
/** The longest life a token may be given. */
export const MAX_API_TOKEN_DAYS = 365;

/** A token as listed: never its hash. */
export interface ApiTokenRecord {
  id: number;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export interface CreatedApiToken {
  /** The token itself: shown once, only its SHA-256 is stored. */
  token: string;
  record: ApiTokenRecord;
}

const recordFields = {
  id: true,
  name: true,
  prefix: true,
  createdAt: true,
  lastUsedAt: true,
  expiresAt: true,
  revokedAt: true,
} as const;

/**
 * When a token stops working: its expiry, or, for a token minted before tokens had one (its
 * expiresAt is null), DEFAULT_API_TOKEN_DAYS after it was made.
 */
export function apiTokenExpiry(token: { createdAt: Date; expiresAt: Date | null }): Date {
  return token.expiresAt ?? new Date(token.createdAt.getTime() + DEFAULT_API_TOKEN_DAYS * DAY_MS);
}

/** The Prisma filter of tokens that have not expired at `now` (apiTokenExpiry's rule). */
export function unexpiredApiTokens(now: Date) {
  return {
    OR: [
      { expiresAt: { gt: now } },
      { expiresAt: null, createdAt: { gt: new Date(now.getTime() - DEFAULT_API_TOKEN_DAYS * DAY_MS) } },
    ],
  };
}

/** The characters of a token shown in lists, by which its owner tells it apart (and the CLI finds its own). */
export function apiTokenPrefix(token: string): string {
  return token.slice(API_TOKEN_PREFIX.length, API_TOKEN_PREFIX.length + SHOWN_CHARS);
}

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * A new token for the account, expiring `options.expiresAt` (default: in 90 days; at most a year
 * away).
 */
export async function createApiToken(
  store: Store,
  userId: string,
  name: string,
  options: { expiresAt?: Date } = {},
): Promise<CreatedApiToken> {
  const trimmed = name.trim();
  if (!trimmed) throw new Error("An API token needs a name");
  const now = Date.now();
  const expiresAt = options.expiresAt ?? new Date(now + DEFAULT_API_TOKEN_DAYS * DAY_MS);
  if (expiresAt.getTime() <= now) {
    throw new Error(`An API token's expiry must be in the future, not ${expiresAt.toISOString()}`);
  }
  if (expiresAt.getTime() > now + MAX_API_TOKEN_DAYS * DAY_MS) {
    throw new Error(`An API token may live at most ${MAX_API_TOKEN_DAYS} days`);
  }
  const secret = randomBytes(32).toString("base64url");
  const token = `${API_TOKEN_PREFIX}${secret}`;
  const record = await store.prisma.apiToken.create({
    data: {
      userId,
      name: trimmed,
      tokenHash: hashToken(token),
      prefix: apiTokenPrefix(token),
      expiresAt,
    },
    select: recordFields,
  });
  return { token, record };
}

/** The user's tokens, newest first, revoked ones included (the list shows their state). */
export async function listApiTokens(store: Store, userId: string): Promise<ApiTokenRecord[]> {
  const tokens = await store.prisma.apiToken.findMany({
    where: { userId },
    select: recordFields,
    orderBy: { id: "desc" },
  });
  return tokens.map((t) => ({ ...t, expiresAt: apiTokenExpiry(t) }));
}

/**
 * Revokes one of the user's tokens. Returns null when the user has no token with that id, so
 * someone else's token looks the same as a missing one.
 */
export async function revokeApiToken(
  store: Store,
  userId: string,
  id: number,
): Promise<ApiTokenRecord | null> {
  const { count } = await store.prisma.apiToken.updateMany({
    where: { id, userId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  if (count === 0) {
    // Already revoked is not an error: revoking is idempotent for the owner.
    return store.prisma.apiToken.findFirst({ where: { id, userId }, select: recordFields });
  }
  return store.prisma.apiToken.findUniqueOrThrow({ where: { id }, select: recordFields });
}

/**
 * Revokes every live token of the account (its password changed, it signed out everywhere, or an
 * admin reset its password or disabled it). Returns how many were revoked.
 */
export async function revokeAllApiTokens(store: Store, userId: string): Promise<number> {
  const { count } = await store.prisma.apiToken.updateMany({
    where: { userId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return count;
}

/**
 * The account an API token belongs to, or null for an unknown, revoked or expired token, or one of
 * a disabled account.
 * The lookup is by the token's SHA-256, so no comparison of secrets happens in JavaScript.
 */
export async function authenticateApiToken(
  store: Store,
  token: string,
): Promise<{ userId: string; tokenId: number } | null> {
  if (!token.startsWith(API_TOKEN_PREFIX)) return null;
  const found = await store.prisma.apiToken.findUnique({
    where: { tokenHash: hashToken(token) },
    select: {
      id: true,
      userId: true,
      createdAt: true,
      expiresAt: true,
      revokedAt: true,
      lastUsedAt: true,
      user: { select: { disabledAt: true } },
    },
  });
  const now = new Date();
  if (!found || found.revokedAt || found.user.disabledAt || apiTokenExpiry(found) <= now) return null;
  const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  if (!found.lastUsedAt || found.lastUsedAt <= stale) {
    // Conditional, so that requests arriving together write once; the request proceeds even if
    // this bookkeeping write fails (e.g. a busy SQLite file): it must not lock the user out.
    await store.prisma.apiToken
      .updateMany({
        where: { id: found.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: stale } }] },
        data: { lastUsedAt: now },
      })
      .catch(() => undefined);
  }
  return { userId: found.userId, tokenId: found.id };
}
