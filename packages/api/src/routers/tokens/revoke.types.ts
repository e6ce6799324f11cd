import { z } from "zod";
import { ZId } from "../../inputs.ts";

export const ZRevokeTokenInput = z.object({ id: ZId });

export type RevokeTokenInput = z.input<typeof ZRevokeTokenInput>;
