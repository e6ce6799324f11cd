import type { AppRouter } from "@cxrlab/api";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import superjson from "superjson";
import { requireCredentials } from "./credentials.ts";

/** How a request to the dashboard proves who sends it. */
export type RemoteAuth = { token: string } | { cookie: string };

/** A typed client of a CXR Lab dashboard's tRPC API at `server` (its base URL). */
export function remoteClient(server: string, auth: RemoteAuth) {
  const headers =
    "token" in auth
      ? { authorization: `Bearer ${auth.token}` }
      : { cookie: auth.cookie, origin: new URL(server).origin };
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: new URL("/api/trpc", server).toString(),
        transformer: superjson,
        headers: () => ({ ...headers, "user-agent": "cxrlab-cli" }),
      }),
    ],
  });
}

export type RemoteClient = ReturnType<typeof remoteClient>;

/** The tRPC error code of a failed call ("UNAUTHORIZED", …), or undefined for anything else. */
export function remoteErrorCode(error: unknown): string | undefined {
  return error instanceof TRPCClientError ? (error.data as { code?: string } | undefined)?.code : undefined;
}

/** The innermost cause's code or message: fetch's own error only says "fetch failed". */
export function rootCause(error: unknown): string {
  let inner = error as { cause?: unknown; code?: unknown; message?: unknown };
  while (inner.cause && typeof inner.cause === "object") inner = inner.cause as typeof inner;
  return String(inner.code ?? inner.message ?? inner);
}

/** Says which server failed and why; a refused token says to sign in again. */
export async function atServer<T>(server: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const code = remoteErrorCode(error);
    if (code === "UNAUTHORIZED") {
      throw new Error(
        `${server} does not accept the stored token (revoked or expired): run \`cxrlab login\``,
      );
    }
    if (code === "FORBIDDEN") throw new Error(`${server} refused: ${(error as Error).message}`);
    throw new Error(`${server}: ${rootCause(error)}`);
  }
}

/**
 * The dashboard `cxrlab login` signed in to: its typed client with the stored token, and `at`,
 * which runs a call and turns its failure into an error naming the server.
 */
export function signedIn() {
  const { server, token } = requireCredentials();
  return {
    server,
    api: remoteClient(server, { token }),
    at: <T>(call: () => Promise<T>) => atServer(server, call),
  };
}
