import { z } from "zod";
import { ZId } from "../../inputs.ts";

/** The patient's row id (ids from DICOM may repeat across issuers, so pages link by row). */
export const ZGetPatientInput = z.object({ id: ZId });

export type GetPatientInput = z.input<typeof ZGetPatientInput>;
