/** `patient P1 (issuer HOSP-A)`, or `patient P1` when the issuer is unknown. */
export function describePatient({
  patientId,
  issuer,
}: {
  patientId: string;
  issuer?: string | null;
}): string {
  return `patient ${patientId}${issuer ? ` (issuer ${issuer})` : ""}`;
}

/**
 * An image refused because its patient ID or study UID is taken: by a patient of another project,
 * or (a study) by another patient. `projectId` is the project of what it collided with, so that a
 * caller who may not read that project can be told less (see `withheldConflict`).
 */
export class ArchiveConflict extends Error {
  constructor(
    message: string,
    readonly projectId: number | null,
  ) {
    super(message);
    this.name = "ArchiveConflict";
  }
}

/**
 * The reason given for an ArchiveConflict to an uploader who may not read the project it collided
 * with: it names nothing of that project (no patient, issuer or project name), only theirs.
 */
export function withheldConflict(project: string): string {
  return `not archived: its patient ID or study UID cannot be used in project ${project} (an administrator of the archive can say why)`;
}
