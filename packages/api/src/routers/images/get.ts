import { getImage } from "@cxrlab/db";
import { found } from "../../not-found.ts";
import { publicProcedure } from "../../trpc.ts";
import { ZGetImageInput } from "./get.types.ts";

export const getImageRoute = publicProcedure.input(ZGetImageInput).query(async ({ ctx, input }) => {
  // The file's location stays on the server: pages load the bytes through /api/images/{id}.
  const { location: _, ...image } = found(await getImage(ctx.store, input.imageId), `image ${input.imageId}`);
  return image;
});
