import type { Store } from "@cxrlab/db";
import type { Operation } from "@cxrlab/validators/roles";
import { type Access, operationAccess } from "../auth/access.ts";
import { type Audit, auditAs } from "../auth/audit.ts";
import { requireImage } from "../auth/scope.ts";
import { resolveViewer, type Viewer } from "../auth/viewer.ts";
import { HttpError } from "./responses.ts";

export interface Authorized {
  viewer: Viewer;
  access: Access;
  audit: Audit;
}

/**
 * Who sent the request and what they may do for `operation`: throws 401 (nobody signed in) or 403
 * (the operation's permission in no project, or a one-time password not yet changed). Handlers then
 * check the project of what they serve.
 */
export async function authorizeRequest(
  request: Request,
  store: Store,
  operation: Operation,
): Promise<Authorized> {
  const viewer = await resolveViewer(store, request.headers);
  if (!viewer) throw new HttpError(401, "sign in first");
  // AccessDenied answers 403 (errorResponse).
  const access = await operationAccess(store, viewer, operation);
  return { viewer, access, audit: auditAs(store, viewer, request.headers) };
}

/**
 * Authorizes serving image `imageId` (its file, thumbnail or heatmap) for `operation`; a view made
 * through the patient archive rather than through a run is audited. `patientAccess`: the viewer may
 * read the image's patient (patients:read in the patient's project), or, for an image of no archived
 * patient, has patient access in the project it is seen through.
 */
export async function authorizeImage(
  request: Request,
  store: Store,
  operation: Operation,
  imageId: number,
): Promise<Authorized & { patientAccess: boolean }> {
  const authorized = await authorizeRequest(request, store, operation);
  const { patientView, canSeePatient, hasPatient, projectId } = await requireImage(
    { store, access: authorized.access },
    imageId,
  );
  if (patientView)
    await authorized.audit({
      action: "patient.image.view",
      targetType: "image",
      targetId: String(imageId),
      projectId,
      details: { via: operation },
    });
  // An archived image: may the viewer read its patient? Another image (a dataset's): does the viewer's
  // role, in the project it is seen through, give patient access?
  const patientAccess = hasPatient ? canSeePatient : authorized.access.can("patients:read", projectId);
  return { ...authorized, patientAccess };
}
