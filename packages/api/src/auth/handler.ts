import { sharedStore } from "../context.ts";
import { getAuth } from "./auth.ts";

/** /api/auth/*: sign-in, sign-out, sessions and password changes, served by the accounts library. */
export async function handleAuth(request: Request): Promise<Response> {
  return getAuth(await sharedStore()).handler(request);
}
