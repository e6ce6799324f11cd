import { appRouter, createCaller, createContext } from "@cxrlab/api";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { makeQueryClient } from "./query-client.ts";

/** One query client per server request (React's `cache` scopes it to the render). */
export const getQueryClient = cache(makeQueryClient);

/** The request's tRPC context: its store and the signed-in account (null when anonymous). */
export const getContext = cache(async () => createContext({ headers: new Headers(await headers()) }));

/** The signed-in account, or null; for pages that must render for anyone (sign-in, layout). */
export const getViewer = cache(async () => (await getContext()).viewer);

/**
 * The signed-in account's projects with its role in each (none when anonymous): for what the layout
 * offers on every page, including those of an account still on its one-time password.
 */
export const getMemberships = cache(async () => {
  const context = await getContext();
  return context.viewer ? (await createCaller(context).account.me()).memberships : [];
});

/** Query options for prefetching in server components; the client hydrates them. */
export const trpc = createTRPCOptionsProxy({
  router: appRouter,
  ctx: getContext,
  queryClient: getQueryClient,
});

/**
 * The signed-in account of a page that needs one: anonymous visitors (or ended sessions) go to the
 * sign-in page, and an account still on its one-time password to the password page first.
 */
export const requireViewer = cache(async () => {
  const { viewer } = await getContext();
  if (!viewer) redirect("/sign-in");
  if (viewer.mustChangePassword) redirect("/account/password");
  return viewer;
});

/** Direct calls for server components that render the data themselves (after requireViewer). */
export const getCaller = cache(async () => {
  await requireViewer();
  return createCaller(await getContext());
});
