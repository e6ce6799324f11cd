import { getRuns } from "@cxrlab/db";
import { TRPCError } from "@trpc/server";
import { configDiff } from "../../config-diff.ts";
import { operationProcedure } from "../../trpc.ts";
import { ZCompareRunsInput } from "./compare.types.ts";

export const compareRunsRoute = operationProcedure("runs.compare")
  .input(ZCompareRunsInput)
  .query(async ({ ctx, input }) => {
    const runs = await getRuns(ctx.store, input.ids);
    const missing = input.ids.filter((id) => !runs.some((r) => r.id === id));
    if (missing.length)
      throw new TRPCError({ code: "NOT_FOUND", message: `runs not found: ${missing.join(", ")}` });
    for (const run of runs) ctx.access.require(run.projectId);
    return { runs, configDiff: configDiff(runs.map((r) => r.config)) };
  });
