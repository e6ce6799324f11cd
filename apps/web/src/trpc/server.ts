import { appRouter, createCaller, createContext } from "@cxrlab/api";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { cache } from "react";
import { makeQueryClient } from "./query-client.ts";

/** One query client per server request (React's `cache` scopes it to the render). */
export const getQueryClient = cache(makeQueryClient);

/** Query options for prefetching in server components; the client hydrates them. */
export const trpc = createTRPCOptionsProxy({
  router: appRouter,
  ctx: () => createContext(),
  queryClient: getQueryClient,
});

/** Direct calls for server components that render the data themselves. */
export const getCaller = cache(async () => createCaller(await createContext()));
