import { getImage } from "@cxrlab/db";
import { requireImage } from "../../auth/scope.ts";
import { found } from "../../not-found.ts";
import { operationProcedure } from "../../trpc.ts";
import { ZGetImageInput } from "./get.types.ts";

export const getImageRoute = operationProcedure("images.get")
  .input(ZGetImageInput)
  .query(async ({ ctx, input }) => {
    const { patientView, projectId } = await requireImage(ctx, input.imageId);
    // The file's location stays on the server: pages load the bytes through /api/images/{id}.
    const { location: _, ...image } = found(
      await getImage(ctx.store, input.imageId),
      `image ${input.imageId}`,
    );
    if (patientView)
      await ctx.audit({
        action: "patient.image.view",
        targetType: "image",
        targetId: String(input.imageId),
        projectId,
      });
    // Only the predictions of runs the viewer may read.
    return {
      ...image,
      predictions: image.predictions.filter((p) => ctx.access.can("runs:read", p.projectId)),
    };
  });
