import { DEFAULT_MODALITIES, endpointOf, PacsError, type PacsStudy, pacsHoldings } from "@cxrlab/pacs";
import { operationProcedure } from "../../trpc.ts";
import { ZPacsHoldingsInput } from "./holdings.types.ts";
import { patientForPacs } from "./patient-source.ts";

/**
 * Per PACS source of the patient's project, the patient's studies there and how many instances of
 * each the archive lacks; a source that cannot be reached gives its error instead.
 */
export const pacsHoldingsRoute = operationProcedure("pacs.holdings")
  .input(ZPacsHoldingsInput)
  .query(async ({ ctx, input }) => {
    const { projectId, history, sources } = await patientForPacs(ctx.store, ctx.access, input.id);
    await ctx.audit({
      action: "patient.pacs.search",
      targetType: "patient",
      targetId: String(input.id),
      projectId,
    });
    const answers: { source: string; studies: PacsStudy[] | null; error: string | null }[] = [];
    for (const source of sources) {
      try {
        const studies = await pacsHoldings(
          ctx.store,
          endpointOf(source),
          history.patient.patientId,
          DEFAULT_MODALITIES,
        );
        answers.push({ source: source.name, studies, error: null });
      } catch (error) {
        if (!(error instanceof PacsError)) throw error;
        answers.push({ source: source.name, studies: null, error: error.message });
      }
    }
    return answers;
  });
