export type { ConfigDifference } from "./config-diff.ts";
export { type Context, createContext, sharedStore } from "./context.ts";
export { type AppRouter, appRouter, createCaller, type RouterInputs, type RouterOutputs } from "./router.ts";
export { ZCreateRunInput } from "./routers/runs/create.types.ts";
