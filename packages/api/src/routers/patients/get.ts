import { getPatientHistory, patientProjectId } from "@cxrlab/db";
import { found } from "../../not-found.ts";
import { operationProcedure } from "../../trpc.ts";
import { ZGetPatientInput } from "./get.types.ts";

export const getPatientRoute = operationProcedure("patients.get")
  .input(ZGetPatientInput)
  .query(async ({ ctx, input }) => {
    const projectId = found(await patientProjectId(ctx.store, input.id), `patient ${input.id}`);
    ctx.access.require(projectId);
    const history = found(await getPatientHistory(ctx.store, { id: input.id }), `patient ${input.id}`);
    await ctx.audit({ action: "patient.view", targetType: "patient", targetId: String(input.id), projectId });
    for (const study of history.studies)
      for (const image of study.images)
        image.predictions = image.predictions.filter((p) => ctx.access.can("runs:read", p.projectId));
    return history;
  });
