import { imageStoreDir } from "@cxrlab/core/paths";
import { demographicEvents } from "@cxrlab/db";
import { DEFAULT_MODALITIES, endpointOf, pullStudies } from "@cxrlab/pacs";
import { queueArrivedPredictions } from "../../queue/arrival-predictions.ts";
import { operationProcedure } from "../../trpc.ts";
import { fromPacs, patientForPacs, projectSource } from "./patient-source.ts";
import { ZPacsPullInput } from "./pull.types.ts";

/** Pulls the patient's studies from a PACS source into the archive (as `cxrlab pacs pull`). */
export const pacsPullRoute = operationProcedure("pacs.pull")
  .input(ZPacsPullInput)
  .mutation(async ({ ctx, input }) => {
    const { projectId, history } = await patientForPacs(ctx.store, ctx.access, input.id);
    const source = await projectSource(ctx.store, input.source, projectId);
    const report = await fromPacs(() =>
      pullStudies(ctx.store, endpointOf(source), source, {
        patientId: history.patient.patientId,
        modalities: DEFAULT_MODALITIES,
        imageStore: imageStoreDir(),
      }),
    );
    for (const file of report.new)
      await ctx.audit({
        action: "patient.image.ingest",
        targetType: "image",
        targetId: String(file.imageId),
        projectId: file.projectId,
        details: { file: file.file, patientId: file.patientId, source: source.name },
      });
    for (const event of demographicEvents(report)) await ctx.audit(event);
    await ctx.audit({
      action: "pacs.pull",
      targetType: "pacs-source",
      targetId: source.name,
      projectId,
      details: {
        patientId: history.patient.patientId,
        new: report.new.length,
        rejected: report.rejected.length,
      },
    });
    return { ...report, predictions: await queueArrivedPredictions(ctx.store, report, ctx.audit) };
  });
