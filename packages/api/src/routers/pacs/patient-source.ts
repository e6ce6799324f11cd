import {
  getPatientHistory,
  listPacsSources,
  patientProjectId,
  requirePacsSource,
  type Store,
} from "@cxrlab/db";
import { PacsError } from "@cxrlab/pacs";
import { TRPCError } from "@trpc/server";
import { found } from "../../not-found.ts";

/**
 * The patient (row `id`) whose project the caller may act in, for this operation (ctx.access
 * checks it). A PACS source serves the patient's project only: `sources` lists those.
 */
export async function patientForPacs(
  store: Store,
  access: { require(projectId: number | null | undefined): void },
  id: number,
) {
  const projectId = found(await patientProjectId(store, id), `patient ${id}`);
  access.require(projectId);
  const history = found(await getPatientHistory(store, { id }), `patient ${id}`);
  const sources = (await listPacsSources(store)).filter((s) => s.projectId === projectId);
  return { projectId, history, sources };
}

/** The source named `name` if it serves `projectId`, else NOT_FOUND (another project's sources are not named). */
export async function projectSource(store: Store, name: string, projectId: number | null) {
  const source = await requirePacsSource(store, name).catch(() => null);
  if (!source || source.projectId !== projectId)
    throw new TRPCError({
      code: "NOT_FOUND",
      message: `no PACS source "${name}" for this patient's project`,
    });
  return source;
}

/** Runs `work`; a PACS that fails is BAD_GATEWAY with the error's message (source, URL, what failed). */
export async function fromPacs<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PacsError)
      throw new TRPCError({ code: "BAD_GATEWAY", message: error.message, cause: error });
    throw error;
  }
}
