/**
 * multipart/related bodies (RFC 2387), as WADO-RS answers and STOW-RS requests carry DICOM
 * instances. Parsing is strict: every part must end at a delimiter and the body at the close
 * delimiter, so a body cut short is an error, never a shorter instance.
 */
import { randomUUID } from "node:crypto";

export interface Part {
  headers: Record<string, string>;
  body: Buffer;
}

/** The boundary parameter of a multipart Content-Type, or null when the type is not multipart. */
export function multipartBoundary(contentType: string | null): string | null {
  if (!contentType || !/^\s*multipart\//i.test(contentType)) return null;
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match ? (match[1] ?? match[2] ?? null) : null;
}

/** A multipart body that is malformed or cut short. */
export class MultipartError extends Error {}

/** The parts of a multipart body with `boundary`. */
export function parseMultipart(body: Buffer, boundary: string): Part[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const between = Buffer.from(`\r\n--${boundary}`);
  // The first delimiter may follow a preamble; it starts the body or a line.
  let at = body.subarray(0, delimiter.length).equals(delimiter) ? 0 : body.indexOf(between);
  if (at < 0) throw new MultipartError(`no multipart boundary "${boundary}" in the body`);
  if (at > 0) at += 2;
  const parts: Part[] = [];
  for (;;) {
    let cursor = at + delimiter.length;
    const after = body.subarray(cursor, cursor + 2).toString("latin1");
    if (after === "--") return parts;
    if (after !== "\r\n") {
      throw new MultipartError(
        `the body ends inside a boundary line after ${parts.length} part(s) (truncated: no closing "--${boundary}--")`,
      );
    }
    cursor += 2;
    const headerEnd = body.indexOf("\r\n\r\n", cursor);
    const next = body.indexOf(between, cursor);
    if (headerEnd < 0 || next < 0 || next < headerEnd) {
      throw new MultipartError(
        `part ${parts.length + 1} is not complete (truncated: no closing "--${boundary}--")`,
      );
    }
    const headers: Record<string, string> = {};
    for (const line of body.subarray(cursor, headerEnd).toString("latin1").split("\r\n")) {
      if (!line) continue;
      const colon = line.indexOf(":");
      if (colon < 1) throw new MultipartError(`part ${parts.length + 1} has a malformed header line`);
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const content = body.subarray(headerEnd + 4, next);
    const declared = headers["content-length"];
    if (declared !== undefined && Number(declared) !== content.length) {
      throw new MultipartError(
        `part ${parts.length + 1} declares ${declared} bytes but holds ${content.length} (truncated or corrupt)`,
      );
    }
    parts.push({ headers, body: content });
    at = next + 2;
  }
}

/** A multipart/related body of `parts` (each with its Content-Type) and its Content-Type header. */
export function buildMultipart(
  parts: readonly Buffer[],
  type: string,
): { body: Buffer; contentType: string } {
  const boundary = `cxrlab-${randomUUID()}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Type: ${type}\r\nContent-Length: ${part.length}\r\n\r\n`),
    );
    chunks.push(part, Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    body: Buffer.concat(chunks),
    contentType: `multipart/related; type="${type}"; boundary=${boundary}`,
  };
}
