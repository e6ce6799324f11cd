import { z } from "zod";
import { ZId } from "../../inputs.ts";

/** Promotes the run's model to the default model of the run's project. */
export const ZPromoteRunInput = z.object({ id: ZId });

export type PromoteRunInput = z.input<typeof ZPromoteRunInput>;
