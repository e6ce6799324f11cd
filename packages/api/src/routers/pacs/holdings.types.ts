import { z } from "zod";
import { ZId } from "../../inputs.ts";

/** The patient's row id. */
export const ZPacsHoldingsInput = z.object({ id: ZId });

export type PacsHoldingsInput = z.input<typeof ZPacsHoldingsInput>;
