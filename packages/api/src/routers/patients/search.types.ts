import { z } from "zod";
import { ZPage, ZPageSize } from "../../inputs.ts";

export const ZSearchPatientsInput = z.object({
  /** Part of the patient id or the name, any case. */
  q: z.string().trim().max(200).optional(),
  page: ZPage.default(1),
  pageSize: ZPageSize.default(50),
});

export type SearchPatientsInput = z.input<typeof ZSearchPatientsInput>;
