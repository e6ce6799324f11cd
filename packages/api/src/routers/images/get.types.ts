import { z } from "zod";
import { ZId } from "../../inputs.ts";

export const ZGetImageInput = z.object({ imageId: ZId });

export type GetImageInput = z.input<typeof ZGetImageInput>;
