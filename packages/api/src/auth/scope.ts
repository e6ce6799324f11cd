import type { Store } from "@cxrlab/db";
import { imageScope, runProjectId } from "@cxrlab/db";
import { found } from "../not-found.ts";
import type { Access } from "./access.ts";

interface Scoped {
  store: Store;
  access: Access;
}

/** The run's project, after checking the viewer may do the operation there (404 / 403 otherwise). */
export async function requireRun(ctx: Scoped, runId: number): Promise<number> {
  const projectId = found(await runProjectId(ctx.store, runId), `run ${runId}`);
  ctx.access.require(projectId);
  return projectId;
}

/**
 * Whether the viewer may see an image: through a run they may read that predicted it, or as
 * someone who may read its patient's records (`patientView`: only the latter way; `canSeePatient`:
 * the viewer may read its patient's records). 404 when there is no such image.
 */
export async function requireImage(
  ctx: Scoped,
  imageId: number,
): Promise<{ patientView: boolean; canSeePatient: boolean; hasPatient: boolean; projectId: number | null }> {
  const scope = found(await imageScope(ctx.store, imageId), `image ${imageId}`);
  const hasPatient = scope.patientProjectId !== null;
  const canSeePatient = hasPatient && ctx.access.can("patients:read", scope.patientProjectId);
  const viaRun = scope.runProjectIds.find((id) => ctx.access.can("runs:read", id));
  if (viaRun !== undefined) return { patientView: false, canSeePatient, hasPatient, projectId: viaRun };
  if (canSeePatient)
    return { patientView: true, canSeePatient, hasPatient, projectId: scope.patientProjectId };
  ctx.access.require(null);
  throw new Error("unreachable");
}
