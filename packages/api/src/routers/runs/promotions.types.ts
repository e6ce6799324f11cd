import { z } from "zod";
import { ZId } from "../../inputs.ts";

/** The promotion history of the project run `id` belongs to. */
export const ZRunPromotionsInput = z.object({ id: ZId });

export type RunPromotionsInput = z.input<typeof ZRunPromotionsInput>;
