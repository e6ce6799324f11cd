import { handleUpload } from "@cxrlab/api/http";

export const dynamic = "force-dynamic";

/** Images into the patient archive (multipart/form-data; see handleUpload). */
export function POST(request: Request): Promise<Response> {
  return handleUpload(request);
}
