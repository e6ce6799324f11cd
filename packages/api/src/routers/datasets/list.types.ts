import { z } from "zod";
import { ZId } from "../../inputs.ts";

/** The dataset versions the caller may see, or one project's. */
export const ZListDatasetsInput = z.object({ projectId: ZId.optional() });

export type ListDatasetsInput = z.input<typeof ZListDatasetsInput>;
