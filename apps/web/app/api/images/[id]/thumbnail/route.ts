import { handleThumbnail } from "@cxrlab/api/http";

export const dynamic = "force-dynamic";

/** A thumbnail (`?size=N`, default 160) made with sharp and cached on disk. */
export async function GET(
  request: Request,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  const { id } = await params;
  return handleThumbnail(request, { imageId: id });
}

export { GET as HEAD };
