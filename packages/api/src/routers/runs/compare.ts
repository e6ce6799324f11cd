import {
  ComparisonRefused,
  compareRunPredictions,
  getRuns,
  type RunComparison,
  type Store,
} from "@cxrlab/db";
import { TRPCError } from "@trpc/server";
import { configDiff } from "../../config-diff.ts";
import { operationProcedure } from "../../trpc.ts";
import { ZCompareRunsInput } from "./compare.types.ts";

/** A run against the first one asked for: the comparison, or why there is none. */
export type PairedWithFirst =
  | { runId: number; comparison: RunComparison }
  | { runId: number; refused: string };

/** Each later run minus the first one on the test images both predicted (as `cxrlab compare` does). */
async function pairedWithFirst(store: Store, ids: readonly number[]): Promise<PairedWithFirst[]> {
  const [first, ...others] = ids;
  const paired: PairedWithFirst[] = [];
  for (const runId of others) {
    try {
      paired.push({ runId, comparison: await compareRunPredictions(store, runId, first!) });
    } catch (err) {
      if (!(err instanceof ComparisonRefused)) throw err;
      paired.push({ runId, refused: err.message });
    }
  }
  return paired;
}

export const compareRunsRoute = operationProcedure("runs.compare")
  .input(ZCompareRunsInput)
  .query(async ({ ctx, input }) => {
    const runs = await getRuns(ctx.store, input.ids);
    const missing = input.ids.filter((id) => !runs.some((r) => r.id === id));
    if (missing.length)
      throw new TRPCError({ code: "NOT_FOUND", message: `runs not found: ${missing.join(", ")}` });
    for (const run of runs) ctx.access.require(run.projectId);
    return {
      runs,
      configDiff: configDiff(runs.map((r) => r.config)),
      paired: await pairedWithFirst(ctx.store, input.ids),
    };
  });
