import { formatBytes } from "@cxrlab/core/limits";
import { HttpError } from "./responses.ts";

/**
 * The request's body, refused with 413 as soon as it is known to exceed `limit` bytes: from its
 * Content-Length before reading anything, else while it streams in (a chunked body declares no size).
 */
export async function readBodyWithin(request: Request, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  const tooLarge = (size: string) =>
    new HttpError(413, `request body ${size} exceeds the upload limit of ${formatBytes(limit)}`);
  const declared = request.headers.get("content-length");
  const length = declared === null ? null : Number(declared);
  if (length !== null && length > limit) throw tooLarge(`of ${formatBytes(length)}`);
  if (!request.body) throw new HttpError(400, "the request has no body");
  // With a declared length, chunks are copied into the body as they arrive: one copy of the body in
  // memory, not the chunks and their concatenation.
  const declaredSize = length !== null && Number.isSafeInteger(length) && length >= 0 ? length : null;
  const body = declaredSize === null ? null : new Uint8Array(declaredSize);
  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (received + value.byteLength > limit) {
      await reader.cancel();
      throw tooLarge("streamed in");
    }
    if (body) {
      if (received + value.byteLength > body.byteLength) {
        await reader.cancel();
        throw new HttpError(400, `request body longer than its Content-Length of ${body.byteLength} bytes`);
      }
      body.set(value, received);
    } else {
      chunks.push(value);
    }
    received += value.byteLength;
  }
  // A proxy that buffers a limited part of the body passes on a truncated one.
  if (body) {
    if (received !== body.byteLength) {
      throw new HttpError(400, `request body truncated: ${received} of ${body.byteLength} bytes arrived`);
    }
    return body;
  }
  const joined = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks.splice(0)) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return joined;
}

/** Parses a multipart/form-data body (415 for another type, 400 when it does not parse). */
export async function parseMultipart(
  contentType: string | null,
  body: Uint8Array<ArrayBuffer>,
): Promise<FormData> {
  if (!contentType?.toLowerCase().startsWith("multipart/form-data")) {
    throw new HttpError(415, `expected multipart/form-data, got ${contentType ?? "no Content-Type"}`);
  }
  try {
    return await new Response(body, { headers: { "Content-Type": contentType } }).formData();
  } catch (error) {
    throw new HttpError(400, `the form data does not parse: ${(error as Error).message}`);
  }
}
