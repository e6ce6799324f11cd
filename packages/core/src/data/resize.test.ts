import { describe, expect, it } from "vitest";
import { pilNearestIndices, resizeBilinear, resizeNearest } from "./resize.ts";

describe("pilNearestIndices (Pillow NEAREST: source pixel under the output pixel's centre)", () => {
  it("matches hand-computed floor((i + 0.5) * src / dst)", () => {
    expect([...pilNearestIndices(4, 2)]).toEqual([1, 3]); // 1, 3
    expect([...pilNearestIndices(2, 4)]).toEqual([0, 0, 1, 1]); // .25 .75 1.25 1.75
    expect([...pilNearestIndices(5, 3)]).toEqual([0, 2, 4]); // .83 2.5 4.17
    expect([...pilNearestIndices(3, 5)]).toEqual([0, 0, 1, 2, 2]); // .3 .9 1.5 2.1 2.7
    expect([...pilNearestIndices(3, 3)]).toEqual([0, 1, 2]);
    // 224 -> 256 (the pediatric normals): every 8 outputs read 7 sources, source 3 twice.
    const up = pilNearestIndices(224, 256);
    expect([...up.subarray(0, 16)]).toEqual([0, 1, 2, 3, 3, 4, 5, 6, 7, 8, 9, 10, 10, 11, 12, 13]);
    expect(up[255]).toBe(223);
    // 299 -> 256 (the Kaggle 2021 size): 0.58, 1.75, 2.92, 4.09 -> source 3 is skipped.
    expect([...pilNearestIndices(299, 256).subarray(0, 4)]).toEqual([0, 1, 2, 4]);
  });

  it("follows Pillow's running sum where the exact centre falls on a pixel edge", () => {
    // Output 3 of 2 -> 7 sits exactly on x = 1.0; Pillow 9.4 adds 2/7 four times from 1/7,
    // lands just below 1 and reads pixel 0 (checked against Image.resize(NEAREST)).
    expect([...pilNearestIndices(2, 7)]).toEqual([0, 0, 0, 0, 1, 1, 1]);
    // 256 -> 7: output 3's centre is exactly 128; Pillow reads 127.
    expect(pilNearestIndices(256, 7)[3]).toBe(127);
  });
});

describe("resizeNearest", () => {
  // 4 wide x 3 high; value 10 * row + col, plus 100 per channel.
  const src = Float32Array.from({ length: 4 * 3 * 3 }, (_, i) => {
    const pixel = Math.floor(i / 3);
    return 10 * Math.floor(pixel / 4) + (pixel % 4) + 100 * (i % 3);
  });

  it("downsizes 4x3 to 2x2 by picking columns 1, 3 and rows 0, 2", () => {
    expect([...resizeNearest(src, 4, 3, 2, 2)]).toEqual([
      1, 101, 201, 3, 103, 203, 21, 121, 221, 23, 123, 223,
    ]);
  });

  it("upsizes by repeating pixels and keeps the same size unchanged", () => {
    const two = Float32Array.from([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
    const four = resizeNearest(two, 2, 2, 4, 4);
    const reds = [...four].filter((_, i) => i % 3 === 0);
    expect(reds).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    expect([...resizeNearest(src, 4, 3, 4, 3)]).toEqual([...src]);
  });
});

describe("resizeBilinear (Pillow BILINEAR, as Keras interpolation='bilinear')", () => {
  /** A one-row 8-bit grey image as RGB. */
  const row = (values: number[]) => Uint8Array.from(values.flatMap((v) => [v, v, v]));
  const reds = (pixels: Float32Array) => [...pixels].filter((_, i) => i % 3 === 0);

  it("upsizes with a triangle filter at pixel centres, clamped at the edges", () => {
    // Output centres 0.25, 0.75, 1.25, 1.75 -> weights (1), (.75, .25), (.25, .75), (1).
    expect(reds(resizeBilinear(row([0, 200]), 2, 1, 4, 1))).toEqual([0, 50, 150, 200]);
  });

  it("widens the filter when shrinking and rounds as Pillow's 8-bit fixed point", () => {
    // Centre 1 with support 2: weights 3/7, 3/7, 1/7 on 0, 100, 200 = 71.4 -> 71;
    // centre 3: 1/7, 3/7, 3/7 on 100, 200, 255 = 209.3 -> 209 (Pillow 9.4 gives the same).
    expect(reds(resizeBilinear(row([0, 100, 200, 255]), 4, 1, 2, 1))).toEqual([71, 209]);
  });

  it("keeps 16-bit samples in floating point, and resizes columns as rows", () => {
    const column = Uint16Array.from([0, 0, 0, 65535, 65535, 65535]);
    expect(reds(resizeBilinear(column, 1, 2, 1, 4))).toEqual([0, 16383.75, 49151.25, 65535]);
    const same = Float32Array.from([1, 2, 3]);
    expect(resizeBilinear(same, 1, 1, 1, 1)).toEqual(same);
    expect(resizeBilinear(same, 1, 1, 1, 1)).not.toBe(same);
  });
});
