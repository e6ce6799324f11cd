import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../backend/select.ts";
import { heatmapPng, jet, overlayPng, upsampleHeatmap } from "./render.ts";

/** One row, cold on the left and hot on the right. */
const ramp = { heatmap: Float32Array.from([0, 1]), height: 1, width: 2 };

async function pixels(png: Buffer) {
  return sharp(png).raw().toBuffer({ resolveWithObject: true });
}

describe("Grad-CAM rendering", () => {
  beforeAll(() => selectBackend("wasm"));

  it("colours with matplotlib's jet", () => {
    expect(jet(0)).toEqual([0, 0, 128]);
    expect(jet(1)).toEqual([128, 0, 0]);
    // t = 128/255: red (t - 0.35) / 0.31 = 0.490, green 1, blue 1 - (t - 0.34) / 0.31 = 0.478.
    expect(jet(0.5)).toEqual([125, 255, 122]);
    expect(jet(-1)).toEqual(jet(0));
  });

  it("upsamples bilinearly with pixel centres aligned", () => {
    // Output centres fall at -0.25, 0.25, 0.75, 1.25 source pixels; the edges clamp.
    expect(Array.from(upsampleHeatmap(ramp, 4, 1))).toEqual([0, 0.25, 0.75, 1]);
    const flat = { heatmap: new Float32Array(9).fill(0.4), height: 3, width: 3 };
    expect(new Set(upsampleHeatmap(flat, 7, 5))).toEqual(new Set([Math.fround(0.4)]));
    expect(() => upsampleHeatmap({ ...ramp, width: 3 }, 4, 4)).toThrow("heatmap holds 2 values, not 1x3");
  });

  it("writes the heatmap as RGBA with alpha = heat", async () => {
    const { data, info } = await pixels(await heatmapPng(ramp, 4, 1));
    expect(info).toMatchObject({ width: 4, height: 1, channels: 4 });
    expect([3, 7, 11, 15].map((i) => data[i])).toEqual([0, 64, 191, 255]);
    expect(Array.from(data.subarray(12, 15))).toEqual(jet(1));
  });

  it("blends the heatmap over the image at the given opacity", async () => {
    const grey = { data: new Uint8Array(4 * 3).fill(100), width: 4, height: 1 };
    const { data, info } = await pixels(await overlayPng(ramp, grey, 0.5));
    expect(info).toMatchObject({ width: 4, height: 1, channels: 3 });
    expect(Array.from(data.subarray(0, 3))).toEqual([100, 100, 100]);
    // Hot end: 100 * (1 - 0.5) + jet(1) * 0.5 = (100 + [128, 0, 0]) / 2.
    expect(Array.from(data.subarray(9, 12))).toEqual([114, 50, 50]);
    await expect(overlayPng(ramp, grey, 1.5)).rejects.toThrow("opacity must be in [0, 1], got 1.5");
    await expect(overlayPng(ramp, { ...grey, width: 5 })).rejects.toThrow("image holds 12 values, not 5x1x3");
  });
});
