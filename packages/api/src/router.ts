import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { accountRouter } from "./routers/account/index.ts";
import { auditRouter } from "./routers/audit/index.ts";
import { datasetsRouter } from "./routers/datasets/index.ts";
import { imagesRouter } from "./routers/images/index.ts";
import { monitoringRouter } from "./routers/monitoring/index.ts";
import { pacsRouter } from "./routers/pacs/index.ts";
import { patientsRouter } from "./routers/patients/index.ts";
import { predictionsRouter } from "./routers/predictions/index.ts";
import { projectsRouter } from "./routers/projects/index.ts";
import { reviewsRouter } from "./routers/reviews/index.ts";
import { runsRouter } from "./routers/runs/index.ts";
import { tokensRouter } from "./routers/tokens/index.ts";
import { createCallerFactory, router } from "./trpc.ts";

export const appRouter = router({
  runs: runsRouter,
  predictions: predictionsRouter,
  images: imagesRouter,
  patients: patientsRouter,
  pacs: pacsRouter,
  reviews: reviewsRouter,
  monitoring: monitoringRouter,
  datasets: datasetsRouter,
  projects: projectsRouter,
  tokens: tokensRouter,
  account: accountRouter,
  audit: auditRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

/** A server-side caller: `createCaller(await createContext()).runs.list({})`. */
export const createCaller = createCallerFactory(appRouter);
