import { handleImage } from "@cxrlab/api/http";

export const dynamic = "force-dynamic";

/** The original image file from the store (ETag = its SHA-256, cached a year). */
export async function GET(
  request: Request,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  const { id } = await params;
  return handleImage(request, { imageId: id });
}

export { GET as HEAD };
