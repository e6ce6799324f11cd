import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { imagesRouter } from "./routers/images/index.ts";
import { patientsRouter } from "./routers/patients/index.ts";
import { predictionsRouter } from "./routers/predictions/index.ts";
import { runsRouter } from "./routers/runs/index.ts";
import { createCallerFactory, router } from "./trpc.ts";

export const appRouter = router({
  runs: runsRouter,
  predictions: predictionsRouter,
  images: imagesRouter,
  patients: patientsRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

/** A server-side caller: `createCaller(await createContext()).runs.list({})`. */
export const createCaller = createCallerFactory(appRouter);
