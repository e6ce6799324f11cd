import { handleGradCam } from "@cxrlab/api/http";

export const dynamic = "force-dynamic";

/** The run's Grad-CAM heatmap for the image (`?class=NAME|predicted`), computed once and cached. */
export async function GET(
  request: Request,
  { params }: { params: Promise<{ runId: string; imageId: string }> },
): Promise<Response> {
  const { runId, imageId } = await params;
  return handleGradCam(request, { runId, imageId });
}

export { GET as HEAD };
