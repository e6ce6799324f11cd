import { z } from "zod";
import { ZId } from "../../inputs.ts";

export const ZProjectMembersInput = z.object({ projectId: ZId });

export type ProjectMembersInput = z.input<typeof ZProjectMembersInput>;
