import { runProjectId } from "@cxrlab/db";
import { endpointOf, pushResults } from "@cxrlab/pacs";
import { TRPCError } from "@trpc/server";
import { found } from "../../not-found.ts";
import { operationProcedure } from "../../trpc.ts";
import { fromPacs, patientForPacs, projectSource } from "./patient-source.ts";
import { ZPacsPushInput } from "./push.types.ts";

/**
 * Sends a run's results for the patient to a PACS source as DICOM SR, and with `gradCam` the Grad-CAM
 * overlays as Secondary Captures (as `cxrlab pacs push [--gradcam]`).
 */
export const pacsPushRoute = operationProcedure("pacs.push")
  .input(ZPacsPushInput)
  .mutation(async ({ ctx, input }) => {
    const { projectId, history } = await patientForPacs(ctx.store, ctx.access, input.id);
    const runProject = found(await runProjectId(ctx.store, input.runId), `run ${input.runId}`);
    if (!ctx.access.can("runs:read", runProject))
      throw new TRPCError({ code: "NOT_FOUND", message: `run ${input.runId} not found` });
    const source = await projectSource(ctx.store, input.source, projectId);
    const report = await fromPacs(() =>
      pushResults(ctx.store, endpointOf(source), {
        runId: input.runId,
        patientId: history.patient.patientId,
        issuer: history.patient.issuer,
        gradCam: input.gradCam,
      }),
    );
    await ctx.audit({
      action: "pacs.push",
      targetType: "patient",
      targetId: String(input.id),
      projectId,
      details: {
        source: source.name,
        runId: input.runId,
        pushed: report.pushed.map((p) => p.sopInstanceUid),
      },
    });
    return report;
  });
