import { ROLES } from "@cxrlab/validators/roles";
import { z } from "zod";
import { ZId } from "../../inputs.ts";

export const ZSetMemberInput = z.object({
  projectId: ZId,
  /** The account to add or change; it must exist (`cxrlab users add` makes accounts). */
  email: z.string().trim().toLowerCase().pipe(z.email()),
  role: z.enum(ROLES),
});

export type SetMemberInput = z.input<typeof ZSetMemberInput>;
