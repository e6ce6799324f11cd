import { getImage } from "@cxrlab/db";
import { requireImage } from "../../auth/scope.ts";
import { found } from "../../not-found.ts";
import { operationProcedure } from "../../trpc.ts";
import { ZGetImageInput } from "./get.types.ts";

export const getImageRoute = operationProcedure("images.get")
  .input(ZGetImageInput)
  .query(async ({ ctx, input }) => {
    const { patientView, canSeePatient, projectId } = await requireImage(ctx, input.imageId);
    // File locations stay on the server: pages load the bytes through /api/images/{id}.
    const {
      location: _,
      sourceLocation: _source,
      studyId,
      sopInstanceUid,
      ...image
    } = found(await getImage(ctx.store, input.imageId), `image ${input.imageId}`);
    if (patientView)
      await ctx.audit({
        action: "patient.image.view",
        targetType: "image",
        targetId: String(input.imageId),
        projectId,
      });
    // Only the predictions of runs the viewer may read; DICOM identifiers only for who may read the patient.
    return {
      ...image,
      studyId: canSeePatient ? studyId : null,
      sopInstanceUid: canSeePatient ? sopInstanceUid : null,
      predictions: image.predictions.filter((p) => ctx.access.can("runs:read", p.projectId)),
    };
  });
