import { authSecret } from "@cxrlab/core/secret";
import type { Store } from "@cxrlab/db";
import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { publicOrigins, trustedOrigins } from "../http/origins.ts";

/** Passwords shorter than this are refused (sign-in, password change, generated one-time passwords). */
export const MIN_PASSWORD_LENGTH = 12;

/** Sign-in attempts allowed per client address in a minute (better-auth answers 429 beyond). */
export const SIGN_IN_ATTEMPTS_PER_MINUTE = 5;

function createAuth(store: Store) {
  const publicUrl = publicOrigins()?.[0];
  return betterAuth({
    appName: "CXR Lab",
    secret: authSecret(),
    ...(publicUrl ? { baseURL: publicUrl } : {}),
    // Sign-in and the other posts are taken only from the dashboard's own pages (see origins.ts).
    trustedOrigins: (request) => (request ? trustedOrigins(request) : []),
    advanced: {
      // The library skips its origin check when NODE_ENV is "test"; tests must see what users get.
      disableOriginCheck: false,
    },
    database: prismaAdapter(store.prisma, { provider: store.target.provider }),
    emailAndPassword: {
      enabled: true,
      // Accounts are made by an admin (`cxrlab users add`, the members page), never by sign-up.
      disableSignUp: true,
      minPasswordLength: MIN_PASSWORD_LENGTH,
      revokeSessionsOnPasswordReset: true,
    },
    databaseHooks: {
      session: {
        create: {
          // A disabled account gets no session, whatever the route (the library then answers 401
          // FAILED_TO_CREATE_SESSION, which serveAuth words for the person signing in).
          before: async (session) => {
            const user = await store.prisma.user.findUnique({
              where: { id: session.userId },
              select: { disabledAt: true },
            });
            return user && !user.disabledAt ? undefined : false;
          },
        },
      },
      account: {
        update: {
          // A one-time password is done with once its owner sets a new one (change-password runs
          // in the owner's session): the flag follows the password itself, not a client's word.
          before: async (data, context) => {
            const userId = context?.context.session?.user.id;
            if (userId && typeof data.password === "string")
              await store.prisma.user.updateMany({
                where: { id: userId, mustChangePassword: true },
                data: { mustChangePassword: false },
              });
          },
        },
      },
    },
    user: {
      additionalFields: {
        mustChangePassword: { type: "boolean", defaultValue: false, input: false },
      },
    },
    session: { expiresIn: 60 * 60 * 24 * 7, updateAge: 60 * 60 * 24 },
    rateLimit: {
      // better-auth limits only in production by default; a hospital network is always production.
      enabled: true,
      storage: "database",
      window: 60,
      max: 100,
      customRules: { "/sign-in/email": { window: 60, max: SIGN_IN_ATTEMPTS_PER_MINUTE } },
    },
    telemetry: { enabled: false },
    // Without CXRLAB_PUBLIC_URL the origin comes from each request (right for one machine); the
    // library warns about that on every start, which is noise for the CLI's account commands.
    logger: { level: publicUrl ? "warn" : "error" },
  });
}

export type Auth = ReturnType<typeof createAuth>;

const instances = new WeakMap<Store, Auth>();

/** The accounts service over `store` (one per store and process). */
export function getAuth(store: Store): Auth {
  let auth = instances.get(store);
  if (!auth) {
    auth = createAuth(store);
    instances.set(store, auth);
  }
  return auth;
}
