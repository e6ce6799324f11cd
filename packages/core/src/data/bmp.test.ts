import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeBmp } from "./bmp.ts";
import { decodeImage, ImageDecodeError } from "./decode.ts";
import { makeTempDir } from "./test-helpers.ts";

/** A BMP with a 40-byte info header; `extra` (palette or bit masks) follows the header. */
function bmpFile(opts: {
  width: number;
  height: number;
  bpp: number;
  compression?: number;
  colours?: number;
  extra?: number[];
  pixels: number[];
}): Uint8Array {
  const extra = opts.extra ?? [];
  const offset = 54 + extra.length;
  const bytes = new Uint8Array(offset + opts.pixels.length);
  const view = new DataView(bytes.buffer);
  bytes.set([0x42, 0x4d]);
  view.setUint32(2, bytes.length, true);
  view.setUint32(10, offset, true);
  view.setUint32(14, 40, true);
  view.setInt32(18, opts.width, true);
  view.setInt32(22, opts.height, true);
  view.setUint16(26, 1, true);
  view.setUint16(28, opts.bpp, true);
  view.setUint32(30, opts.compression ?? 0, true);
  view.setUint32(46, opts.colours ?? 0, true);
  bytes.set(extra, 54);
  bytes.set(opts.pixels, offset);
  return bytes;
}

// 2x2, 24-bit, rows stored bottom-up as B, G, R and padded to 4 bytes.
const rgb24 = bmpFile({
  width: 2,
  height: 2,
  bpp: 24,
  pixels: [
    255, 0, 0, 255, 255, 255, 0, 0, /* bottom: blue, white */ 0, 0, 255, 0, 255, 0, 0,
    0 /* top: red, green */,
  ],
});

describe("decodeBmp", () => {
  it("reads 24-bit bottom-up rows as RGB", () => {
    const { data, width, height } = decodeBmp(rgb24);
    expect([width, height]).toEqual([2, 2]);
    expect([...data]).toEqual([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]);
  });

  it("reads 8-bit and 1-bit palettes, top-down when the height is negative", () => {
    const palette = [30, 20, 10, 0, 60, 50, 40, 0]; // B, G, R, 0: (10,20,30) and (40,50,60)
    const eight = decodeBmp(
      bmpFile({ width: 3, height: -1, bpp: 8, colours: 2, extra: palette, pixels: [1, 0, 1, 0] }),
    );
    expect([...eight.data]).toEqual([40, 50, 60, 10, 20, 30, 40, 50, 60]);

    const bw = [0, 0, 0, 0, 255, 255, 255, 0];
    const one = decodeBmp(
      bmpFile({
        width: 10,
        height: 1,
        bpp: 1,
        colours: 2,
        extra: bw,
        pixels: [0b10100000, 0b11000000, 0, 0],
      }),
    );
    const reds = [...one.data].filter((_, i) => i % 3 === 0);
    expect(reds).toEqual([255, 0, 255, 0, 0, 0, 0, 0, 255, 255]);
  });

  it("reads 16-bit 5-5-5 and 32-bit bit-field pixels", () => {
    // 0x7c00: red 31 -> 255; 0x0210: green 16, blue 16 -> floor(16 * 255 / 31) = 131
    const sixteen = decodeBmp(bmpFile({ width: 2, height: 1, bpp: 16, pixels: [0x00, 0x7c, 0x10, 0x02] }));
    expect([...sixteen.data]).toEqual([255, 0, 0, 0, 131, 131]);
    const masks = [0, 0, 0xff, 0, 0, 0xff, 0, 0, 0xff, 0, 0, 0]; // R 0xff0000, G 0xff00, B 0xff (little-endian)
    const bits = decodeBmp(
      bmpFile({
        width: 1,
        height: 1,
        bpp: 32,
        compression: 3,
        extra: masks,
        pixels: [0x33, 0x22, 0x11, 0x80],
      }),
    );
    expect([...bits.data]).toEqual([0x11, 0x22, 0x33]);
  });

  it("refuses compressed, truncated and foreign files with the reason", () => {
    expect(() => decodeBmp(bmpFile({ width: 1, height: 1, bpp: 8, compression: 1, pixels: [0, 0] }))).toThrow(
      "unsupported BMP kind (8 bits per pixel, compression 1)",
    );
    expect(() => decodeBmp(rgb24.subarray(0, rgb24.length - 4))).toThrow("truncated");
    expect(() => decodeBmp(new Uint8Array(60))).toThrow("not a BMP file");
  });
});

describe("decodeImage on a BMP file", () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  beforeAll(async () => {
    tmp = await makeTempDir();
  });
  afterAll(() => tmp.cleanup());

  it("decodes and resizes it like any other image, and names the file when it is broken", async () => {
    const file = path.join(tmp.dir, "x.bmp");
    await writeFile(file, rgb24);
    const pixels = await decodeImage(file, { imageSize: 4, resize: "nearest" });
    expect([...pixels.subarray(0, 12)]).toEqual([255, 0, 0, 255, 0, 0, 0, 255, 0, 0, 255, 0]);
    expect([...pixels.subarray(36, 48)]).toEqual([0, 0, 255, 0, 0, 255, 255, 255, 255, 255, 255, 255]);

    const broken = path.join(tmp.dir, "broken.bmp");
    await writeFile(broken, rgb24.subarray(0, 58));
    const error = await decodeImage(broken, { imageSize: 4, resize: "nearest" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageDecodeError);
    expect((error as Error).message).toBe(`Cannot decode image ${broken}: BMP pixel data is truncated`);
  });
});
