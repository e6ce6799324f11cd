import { describe, expect, it } from "vitest";
import { buildMultipart, MultipartError, multipartBoundary, parseMultipart } from "./multipart.ts";

const parts = [Buffer.from("DICM first\r\n--not-the-boundary"), Buffer.alloc(0), Buffer.from([0, 1, 2, 255])];

describe("multipart/related", () => {
  it("reads back what it writes, bytes exact, boundary-like content included", () => {
    const { body, contentType } = buildMultipart(parts, "application/dicom");
    const boundary = multipartBoundary(contentType);
    expect(boundary).toMatch(/^cxrlab-/);
    const read = parseMultipart(body, boundary!);
    expect(read.map((p) => p.body)).toEqual(parts);
    expect(read[0]!.headers).toMatchObject({ "content-type": "application/dicom", "content-length": "30" });
  });

  it("takes a quoted boundary and a preamble", () => {
    expect(multipartBoundary('multipart/related; type="application/dicom"; boundary="a b"')).toBe("a b");
    expect(multipartBoundary("application/dicom+json")).toBeNull();
    const body = Buffer.from("preamble\r\n--X\r\nContent-Type: application/dicom\r\n\r\nabc\r\n--X--\r\n");
    expect(parseMultipart(body, "X").map((p) => p.body.toString())).toEqual(["abc"]);
  });

  it("refuses a body cut anywhere before its closing boundary", () => {
    const { body, contentType } = buildMultipart(parts, "application/dicom");
    const boundary = multipartBoundary(contentType)!;
    const closing = body.lastIndexOf(`--${boundary}--`);
    for (const cut of [0, 10, 60, Math.floor(body.length / 2), closing, closing + boundary.length + 3]) {
      expect(() => parseMultipart(body.subarray(0, cut), boundary), `cut at ${cut}`).toThrow(MultipartError);
    }
    expect(() => parseMultipart(body.subarray(0, closing), boundary)).toThrow(/truncated/);
  });

  it("refuses a part whose Content-Length disagrees with its bytes", () => {
    const body = Buffer.from("--X\r\nContent-Length: 10\r\n\r\nabc\r\n--X--");
    expect(() => parseMultipart(body, "X")).toThrow("part 1 declares 10 bytes but holds 3");
  });
});
