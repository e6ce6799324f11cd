import { z } from "zod";

export const ZCreateTokenInput = z.object({
  /** What the token is for ("laptop", "trainer on gpu-2"). */
  name: z.string().trim().min(1).max(100),
  /** Default: the token does not expire (revoke it instead). */
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});

export type CreateTokenInput = z.input<typeof ZCreateTokenInput>;
