import { z } from "zod";
import { ZId } from "../../inputs.ts";

export const ZGetDatasetInput = z.object({ id: ZId });

export type GetDatasetInput = z.input<typeof ZGetDatasetInput>;
