import { runFacets } from "@cxrlab/db";
import { publicProcedure } from "../../trpc.ts";

export const runFacetsRoute = publicProcedure.query(({ ctx }) => runFacets(ctx.store));
