import { z } from "zod";
import { ZId } from "../../inputs.ts";

export const ZRunStarInput = z.object({ id: ZId });

export type RunStarInput = z.input<typeof ZRunStarInput>;
