import { archivedSopInstanceUids, type Store } from "@cxrlab/db";
import { type DicomWebEndpoint, searchStudies } from "./dicomweb-client.ts";
import { studyInstances } from "./pull.ts";

export interface PacsStudy {
  studyInstanceUid: string;
  studyDate: string | null;
  /** Instances of the wanted modalities the PACS holds. */
  instances: number;
  /** Of those, not in the archive: what a pull would retrieve. */
  missing: number;
}

/**
 * The patient's studies on the PACS (of the wanted modalities), each with how many of its instances
 * the archive lacks, oldest first: what the PACS has that the archive does not.
 */
export async function pacsHoldings(
  store: Store,
  endpoint: DicomWebEndpoint,
  patientId: string,
  modalities: readonly string[],
): Promise<PacsStudy[]> {
  const studies: PacsStudy[] = [];
  for (const { studyInstanceUid, studyDate } of await searchStudies(endpoint, { patientId, modalities })) {
    const study = { studyInstanceUid, studyDate };
    const instances = await studyInstances(endpoint, study.studyInstanceUid, modalities);
    const archived = await archivedSopInstanceUids(
      store,
      instances.map((i) => i.sopInstanceUid),
    );
    studies.push({ ...study, instances: instances.length, missing: instances.length - archived.size });
  }
  return studies.sort((a, b) => (a.studyDate ?? "99999999").localeCompare(b.studyDate ?? "99999999"));
}
