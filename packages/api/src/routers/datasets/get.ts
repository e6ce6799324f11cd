import { datasetVersionById } from "@cxrlab/db";
import { found } from "../../not-found.ts";
import { operationProcedure } from "../../trpc.ts";
import { ZGetDatasetInput } from "./get.types.ts";

/** A version's counts per class and source, fingerprint and recipe: its manifest (patients) stays out. */
export const getDatasetRoute = operationProcedure("datasets.get")
  .input(ZGetDatasetInput)
  .query(async ({ ctx, input }) => {
    const { entries: _entries, ...version } = found(
      await datasetVersionById(ctx.store, input.id),
      `dataset version ${input.id}`,
    );
    ctx.access.require(version.projectId);
    return version;
  });
