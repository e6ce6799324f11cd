import { describe, expect, it } from "vitest";
import { createRng, type Rng } from "../random.ts";
import {
  adjustIntensity,
  affineImage,
  augmentImage,
  flipHorizontal,
  randomZoom,
  zoomImage,
} from "./augment.ts";

/** No augmentation but what a test switches on. */
const off = {
  zoomRange: 0,
  horizontalFlip: false,
  rotationRange: 0,
  shiftRange: 0,
  brightnessRange: 0,
  contrastRange: 0,
  gammaRange: 0,
};

/** size x size x 3 image whose three channels hold f(row, col), f + 1000, f + 2000. */
function image(size: number, f: (row: number, col: number) => number): Float32Array {
  const out = new Float32Array(size * size * 3);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      for (let ch = 0; ch < 3; ch++) out[(r * size + c) * 3 + ch] = f(r, c) + 1000 * ch;
    }
  }
  return out;
}

const channel = (pixels: Float32Array, ch: number) => [...pixels].filter((_, i) => i % 3 === ch);

/** An Rng that replays the given values from next(). */
function scripted(values: number[]): Rng {
  let i = 0;
  const next = () => values[i++] as number;
  return {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    int: (n) => Math.floor(next() * n),
    fork: () => scripted([]),
  };
}

describe("zoomImage (Keras apply_affine_transform, order 1, fill_mode nearest)", () => {
  // Columns hold 0, 10, 20, 30; the centre is at 1.5.
  const ramp = image(4, (_, c) => 10 * c);

  it("zx = 0.5 samples columns 0.75, 1.25, 1.75, 2.25 (zooms in) with linear interpolation", () => {
    const out = zoomImage(ramp, 4, 0.5, 1);
    expect(channel(out, 0).slice(0, 4)).toEqual([7.5, 12.5, 17.5, 22.5]);
    expect(channel(out, 2).slice(12, 16)).toEqual([2007.5, 2012.5, 2017.5, 2022.5]);
  });

  it("zx = 2 samples -1.5, 0.5, 2.5, 4.5 and repeats the edge pixels outside (zooms out)", () => {
    expect(channel(zoomImage(ramp, 4, 2, 1), 0).slice(0, 4)).toEqual([0, 5, 25, 30]);
  });

  it("zy acts on rows, zx on columns", () => {
    const rows = image(4, (r) => 10 * r);
    const out = channel(zoomImage(rows, 4, 1, 0.5), 0);
    expect([out[0], out[4], out[8], out[12]]).toEqual([7.5, 12.5, 17.5, 22.5]);
    expect(channel(zoomImage(rows, 4, 0.5, 1), 0)).toEqual(channel(rows, 0));
  });

  it("is the identity at zx = zy = 1 and checks the pixel count", () => {
    const pixels = image(5, (r, c) => r * 7 + c);
    expect(zoomImage(pixels, 5, 1, 1)).toEqual(pixels);
    expect(() => zoomImage(pixels, 4, 1.1, 1)).toThrow("Expected 4x4x3 = 48 values, got 75");
  });
});

describe("randomZoom", () => {
  it("returns the input and draws nothing when the range is 0", () => {
    const pixels = image(6, (r, c) => r + c);
    const rng = createRng(3);
    expect(randomZoom(pixels, 6, 0, rng)).toBe(pixels);
    expect(rng.next()).toBe(createRng(3).next());
  });

  it("draws zx then zy uniformly from [1 - z, 1 + z]", () => {
    const pixels = image(8, (r, c) => (r * 13 + c * 7) % 17);
    // next() = 0 -> 0.9 for columns, 1 -> 1.1 for rows
    expect(randomZoom(pixels, 8, 0.1, scripted([0, 1]))).toEqual(zoomImage(pixels, 8, 0.9, 1.1));
    const seeded = createRng(11);
    const reference = createRng(11);
    const zx = reference.uniform(0.93, 1.07);
    const zy = reference.uniform(0.93, 1.07);
    expect(randomZoom(pixels, 8, 0.07, seeded)).toEqual(zoomImage(pixels, 8, zx, zy));
  });
});

describe("flips and augmentImage", () => {
  const pixels = image(3, (r, c) => 10 * r + c);

  it("flipHorizontal mirrors columns", () => {
    expect(channel(flipHorizontal(pixels, 3), 1)).toEqual([
      1002, 1001, 1000, 1012, 1011, 1010, 1022, 1021, 1020,
    ]);
  });

  it("zooms, then flips with probability 1/2 only when enabled", () => {
    const config = { ...off, horizontalFlip: true };
    expect(augmentImage(pixels, 3, config, scripted([0.2]))).toEqual(flipHorizontal(pixels, 3));
    expect(augmentImage(pixels, 3, config, scripted([0.7]))).toBe(pixels);
    expect(augmentImage(pixels, 3, off, scripted([]))).toBe(pixels);
    const zoomed = augmentImage(
      pixels,
      3,
      { ...off, zoomRange: 0.5, horizontalFlip: true },
      scripted([0, 0, 0]),
    );
    expect(zoomed).toEqual(flipHorizontal(zoomImage(pixels, 3, 0.5, 0.5), 3));
  });
});

describe("affineImage, rotation, shift and intensity", () => {
  const ramp = image(4, (r, c) => 10 * r + c);

  it("the identity matrix returns the image; matrix diag(zy, zx) is zoomImage", () => {
    expect(affineImage(ramp, 4, [1, 0, 0, 1], 0, 0)).toEqual(ramp);
    const zoomed = zoomImage(ramp, 4, 0.8, 1.3);
    const affine = affineImage(ramp, 4, [1.3, 0, 0, 0.8], 0, 0);
    for (const [i, v] of affine.entries()) expect(v).toBeCloseTo(zoomed[i] as number, 4);
  });

  it("a quarter turn moves columns into rows; a shift of one pixel reads the next row", () => {
    // Output (r, c) reads input (-(c - 1.5) + 1.5, (r - 1.5) + 1.5) = (3 - c, r).
    const turned = affineImage(ramp, 4, [0, -1, 1, 0], 0, 0);
    expect(channel(turned, 0).slice(0, 4).map(Math.round)).toEqual([30, 20, 10, 0]);
    const shifted = affineImage(ramp, 4, [1, 0, 0, 1], 1, 0);
    expect(channel(shifted, 0)).toEqual([10, 11, 12, 13, 20, 21, 22, 23, 30, 31, 32, 33, 30, 31, 32, 33]);
  });

  it("brightness scales, contrast spreads around the mean, gamma bends, all within 0..255", () => {
    const flat = new Float32Array([100, 100, 100, 200, 200, 200]);
    expect([...adjustIntensity(flat, { brightness: 1.1, contrast: 1, gamma: 1 })]).toEqual([
      110, 110, 110, 220, 220, 220,
    ]);
    expect([...adjustIntensity(flat, { brightness: 1, contrast: 2, gamma: 1 })]).toEqual([
      50, 50, 50, 250, 250, 250,
    ]);
    const bright = adjustIntensity(flat, { brightness: 1.5, contrast: 1, gamma: 1 });
    expect(bright[3]).toBe(255);
    const bent = adjustIntensity(flat, { brightness: 1, contrast: 1, gamma: 2 });
    expect(bent[0]).toBeCloseTo(255 * (100 / 255) ** 2, 3);
  });

  it("draws zoom, rotation, shift, flip, then intensity, each only when its range is above 0", () => {
    const config = { ...off, rotationRange: 90, shiftRange: 0.25, brightnessRange: 0.5 };
    // rotation uniform(-1, 1) at 1 -> +90 degrees; shifts at 0.5 -> 0; brightness at 1 -> 1.5.
    const out = augmentImage(ramp, 4, config, scripted([1, 0.5, 0.5, 1]));
    const expected = adjustIntensity(
      affineImage(ramp, 4, [Math.cos(Math.PI / 2), -1, 1, Math.cos(Math.PI / 2)], 0, 0),
      {
        brightness: 1.5,
        contrast: 1,
        gamma: 1,
      },
    );
    expect(out).toEqual(expected);
  });
});
