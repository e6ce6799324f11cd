import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sharedPaths } from "../paths.ts";
import { decodeImage, ImageDecodeError } from "./decode.ts";
import { expectClose, makeTempDir, writeImage } from "./test-helpers.ts";

const nearest = (imageSize: number) => ({ imageSize, resize: "nearest" as const });

describe("decodeImage on cxr-sample", () => {
  const covid = path.join(sharedPaths.sample(), "COVID", "lundis_COVID-1.png"); // 256x256
  const child = path.join(sharedPaths.sample(), "Normal", "rtchanon_Normal-1181.png"); // 224x224

  it("gives the stored 0..255 RGB values when no resize is needed", async () => {
    const pixels = await decodeImage(covid, nearest(256));
    const stored = await sharp(covid).removeAlpha().raw().toBuffer();
    expect(stored.length).toBe(256 * 256 * 3);
    expect(pixels).toEqual(Float32Array.from(stored));
    expect(pixels.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)).toBe(true);
    expect(new Set(pixels).size).toBeGreaterThan(50);
  });

  it("upsizes 224 -> 256 with Pillow's nearest pattern (sources 0,1,2,3,3,4,5,6 per 8 outputs)", async () => {
    const pixels = await decodeImage(child, nearest(256));
    expect(pixels).toHaveLength(256 * 256 * 3);
    const { data, info } = await sharp(child).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect(info.width).toBe(224);
    const source = (i: number) => 7 * Math.floor(i / 8) + ([0, 1, 2, 3, 3, 4, 5, 6][i % 8] as number);
    for (let y = 0; y < 256; y += 5) {
      for (let x = 0; x < 256; x += 3) {
        for (let c = 0; c < 3; c++) {
          expect(pixels[(y * 256 + x) * 3 + c]).toBe(data[(source(y) * 224 + source(x)) * info.channels + c]);
        }
      }
    }
  });

  it("resizes bilinearly: 8-bit results stay whole numbers in range, close to the nearest result", async () => {
    const bilinear = await decodeImage(child, { imageSize: 256, resize: "bilinear" });
    const near = await decodeImage(child, nearest(256));
    expect(bilinear).toHaveLength(256 * 256 * 3);
    expect(bilinear.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)).toBe(true);
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(Math.abs(mean(bilinear) - mean(near))).toBeLessThan(1);
    expect(bilinear).not.toEqual(near);
  });
});

describe("decodeImage on synthetic files", () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  const file = (name: string) => path.join(tmp.dir, name);
  beforeAll(async () => {
    tmp = await makeTempDir();
  });
  afterAll(() => tmp.cleanup());

  it("maps 16-bit grey PNG samples v to v / 257 on three channels", async () => {
    const png = await writeImage(file("g16.png"), {
      data: Uint16Array.from([0, 257, 65535, 30000]),
      width: 2,
      height: 2,
      channels: 1,
    });
    expect(await sharp(png).metadata()).toMatchObject({ depth: "ushort", channels: 1 });
    const pixels = await decodeImage(png, nearest(2));
    const expected = [0, 1, 255, 30000 / 257].flatMap((v) => [v, v, v]);
    expectClose(pixels, expected, 4);
  });

  it("maps 16-bit RGB PNG samples to v / 257, also through a nearest resize", async () => {
    const png = await writeImage(file("rgb16.png"), {
      data: Uint16Array.from([0, 1, 2, 257, 514, 771, 65535, 65535, 0, 1000, 2000, 3000]),
      width: 2,
      height: 2,
      channels: 3,
    });
    expect(await sharp(png).metadata()).toMatchObject({ depth: "ushort", channels: 3 });
    const same = await decodeImage(png, nearest(2));
    const expected = [0, 1, 2, 257, 514, 771, 65535, 65535, 0, 1000, 2000, 3000].map((v) => v / 257);
    expectClose(same, expected, 4);
    const big = await decodeImage(png, nearest(4)); // pixel (row 3, col 0) comes from (1, 0)
    expect(big[(3 * 4 + 0) * 3]).toBeCloseTo(65535 / 257, 4);
    expect(big[(3 * 4 + 3) * 3 + 2]).toBeCloseTo(3000 / 257, 4);
  });

  it("turns 8-bit grey into three equal channels and drops alpha without compositing", async () => {
    const grey = await writeImage(file("g8.png"), {
      data: Uint8Array.from([0, 100, 200, 255]),
      width: 2,
      height: 2,
      channels: 1,
    });
    expect((await sharp(grey).metadata()).channels).toBe(1);
    expect([...(await decodeImage(grey, nearest(2)))]).toEqual([
      0, 0, 0, 100, 100, 100, 200, 200, 200, 255, 255, 255,
    ]);

    const rgba = await writeImage(file("rgba.png"), {
      data: Uint8Array.from([10, 20, 30, 0, 40, 50, 60, 128, 70, 80, 90, 255, 1, 2, 3, 4]),
      width: 2,
      height: 2,
      channels: 4,
    });
    expect([...(await decodeImage(rgba, nearest(2)))]).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 1, 2, 3]);

    const greyAlpha = await writeImage(file("ga.png"), {
      data: Uint8Array.from([10, 0, 200, 128, 30, 255, 40, 5]),
      width: 2,
      height: 2,
      channels: 2,
    });
    expect((await sharp(greyAlpha).metadata()).channels).toBe(2);
    expect([...(await decodeImage(greyAlpha, nearest(2)))]).toEqual([
      10, 10, 10, 200, 200, 200, 30, 30, 30, 40, 40, 40,
    ]);
  });

  it("decodes JPEG (colour and grey) and TIFF", async () => {
    const rgb = (r: number, g: number, b: number, n: number) =>
      Uint8Array.from({ length: n * 3 }, (_, i) => [r, g, b][i % 3] as number);
    const jpeg = await writeImage(
      file("c.jpg"),
      { data: rgb(200, 100, 50, 64), width: 8, height: 8, channels: 3 },
      "jpeg",
    );
    const colour = await decodeImage(jpeg, nearest(4));
    expect(colour).toHaveLength(4 * 4 * 3);
    expectClose(colour.subarray(0, 3), [200, 100, 50], -1); // JPEG is lossy: within 5

    const greyJpeg = await writeImage(
      file("g.jpeg"),
      { data: new Uint8Array(64).fill(77), width: 8, height: 8, channels: 1 },
      "jpeg",
    );
    const grey = await decodeImage(greyJpeg, nearest(8));
    expect(grey.every((v) => Math.abs(v - 77) <= 1)).toBe(true);

    const tiff = await writeImage(
      file("t.tif"),
      { data: rgb(1, 2, 3, 4), width: 2, height: 2, channels: 3 },
      "tiff",
    );
    expect([...(await decodeImage(tiff, nearest(2)))]).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3]);
  });

  it("resizes a flat image bilinearly to the same flat value", async () => {
    const flat = await writeImage(file("flat.png"), {
      data: new Uint8Array(7 * 5 * 3).fill(123),
      width: 7,
      height: 5,
      channels: 3,
    });
    const pixels = await decodeImage(flat, { imageSize: 4, resize: "bilinear" });
    expect([...pixels]).toEqual(new Array(4 * 4 * 3).fill(123));
  });

  it("throws ImageDecodeError naming the file for corrupt, truncated, empty and missing files", async () => {
    const cases: [string, Buffer | null, RegExp][] = [
      ["garbage.png", Buffer.from("this is not an image"), /unsupported image format/],
      ["empty.png", Buffer.alloc(0), /the file is empty/],
      ["missing.png", null, /file not found/],
    ];
    const real = await readFile(path.join(sharedPaths.sample(), "COVID", "lundis_COVID-1.png"));
    cases.push(["truncated.png", real.subarray(0, real.length >> 1), /libpng read error/]);
    const jpeg = await writeImage(
      file("whole.jpg"),
      {
        data: Uint8Array.from({ length: 64 * 64 * 3 }, (_, i) => (i * 37) % 256),
        width: 64,
        height: 64,
        channels: 3,
      },
      "jpeg",
    );
    const jpegBytes = await readFile(jpeg);
    cases.push(["truncated.jpg", jpegBytes.subarray(0, jpegBytes.length - 200), /premature end of JPEG/]);
    for (const [name, bytes, reason] of cases) {
      const target = file(name);
      if (bytes) await writeFile(target, bytes);
      const error = await decodeImage(target, nearest(8)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ImageDecodeError);
      expect((error as ImageDecodeError).path).toBe(target);
      expect((error as Error).message).toContain(target);
      expect((error as Error).message).toMatch(reason);
    }
  });

  it("rejects a size that is not a positive integer", async () => {
    await expect(decodeImage(file("x.png"), nearest(0))).rejects.toThrow(RangeError);
  });
});
