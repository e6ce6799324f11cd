import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImageRecord } from "./directory.ts";
import { fitFeaturewiseMean, normalizePixels } from "./normalize.ts";
import { expectClose, makeTempDir, writeImage } from "./test-helpers.ts";

describe("normalizePixels", () => {
  const raw = () => Float32Array.from([255, 0, 127.5, 51, 102, 204]);

  it("none: rescale only, in place", () => {
    const pixels = raw();
    const out = normalizePixels(pixels, { rescale: 1 / 255, normalization: "none" });
    expect(out).toBe(pixels);
    expectClose(out, [1, 0, 0.5, 0.2, 0.4, 0.8]);
  });

  it("imagenet: Keras DenseNet torch mode, (v / 255 - mean) / std per channel", () => {
    const out = normalizePixels(raw(), { rescale: 1 / 255, normalization: "imagenet" });
    expectClose(out, [
      (1 - 0.485) / 0.229,
      (0 - 0.456) / 0.224,
      (0.5 - 0.406) / 0.225,
      (0.2 - 0.485) / 0.229,
      (0.4 - 0.456) / 0.224,
      (0.8 - 0.406) / 0.225,
    ]);
  });

  it("featurewise: subtracts the raw-unit mean after rescale, and needs the mean", () => {
    const out = normalizePixels(raw(), { rescale: 1 / 255, normalization: "featurewise" }, [55, 35, 78.75]);
    expectClose(out, [200 / 255, -35 / 255, 48.75 / 255, -4 / 255, 67 / 255, 125.25 / 255]);
    expect(() => normalizePixels(raw(), { rescale: 1, normalization: "featurewise" })).toThrow(
      "fitFeaturewiseMean",
    );
  });
});

describe("fitFeaturewiseMean", () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let records: ImageRecord[];
  beforeAll(async () => {
    tmp = await makeTempDir();
    const flat = await writeImage(path.join(tmp.dir, "a.png"), {
      data: Uint8Array.from({ length: 12 }, (_, i) => [10, 20, 30][i % 3] as number),
      width: 2,
      height: 2,
      channels: 3,
    });
    const varied = await writeImage(path.join(tmp.dir, "b.png"), {
      data: Uint8Array.from([0, 50, 255, 100, 50, 255, 200, 50, 0, 100, 50, 0]),
      width: 2,
      height: 2,
      channels: 3,
    });
    records = [flat, varied].map((p, i) => ({ path: p, label: i, className: String(i) }));
  });
  afterAll(() => tmp.cleanup());

  it("averages every pixel of every image per channel", async () => {
    // R: (4 * 10 + 0 + 100 + 200 + 100) / 8 = 55; G: (4 * 20 + 4 * 50) / 8 = 35; B: (4 * 30 + 510) / 8 = 78.75
    expectClose(await fitFeaturewiseMean(records, { imageSize: 2, resize: "nearest" }), [55, 35, 78.75]);
    // Nearest 2 -> 4 repeats every pixel four times: same mean.
    expectClose(
      await fitFeaturewiseMean(records, { imageSize: 4, resize: "nearest", concurrency: 1 }),
      [55, 35, 78.75],
    );
  });

  it("fails on an unreadable image unless told to skip it", async () => {
    const bad = path.join(tmp.dir, "bad.png");
    await writeFile(bad, "no image here");
    const withBad = [...records, { path: bad, label: 0, className: "0" }];
    await expect(fitFeaturewiseMean(withBad, { imageSize: 2, resize: "nearest" })).rejects.toThrow(bad);
    const mean = await fitFeaturewiseMean(withBad, { imageSize: 2, resize: "nearest", skipBad: true });
    expectClose(mean, [55, 35, 78.75]);
    await expect(fitFeaturewiseMean([], { imageSize: 2, resize: "nearest" })).rejects.toThrow(
      "no training image",
    );
  });
});
