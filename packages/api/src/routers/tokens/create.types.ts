import { MAX_API_TOKEN_DAYS } from "@cxrlab/db";
import { z } from "zod";

export const ZCreateTokenInput = z.object({
  /** What the token is for ("laptop", "trainer on gpu-2"). */
  name: z.string().trim().min(1).max(100),
  /** Default: 90 days (DEFAULT_API_TOKEN_DAYS); at most a year. */
  expiresInDays: z.number().int().min(1).max(MAX_API_TOKEN_DAYS).optional(),
});

export type CreateTokenInput = z.input<typeof ZCreateTokenInput>;
