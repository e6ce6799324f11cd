import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { buildDicom } from "../dicom/test-dicom.ts";
import { inputStats, trainingInputStats } from "./input-stats.ts";

const grey = (width: number, height: number, level: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: level, g: level, b: level } } })
    .toColourspace("b-w")
    .png();

describe("inputStats", () => {
  it("reads size, bit depth, source and the grey-level histogram of real files", async () => {
    const dir = path.join(tmpdir(), `monitoring-${process.pid}-${Date.now()}`);
    await mkdir(path.join(dir, "train", "Normal"), { recursive: true });
    await mkdir(path.join(dir, "train", "COVID"), { recursive: true });
    const png8 = path.join(dir, "train", "Normal", "a.png");
    await grey(64, 32, 200).toFile(png8);
    await grey(40, 40, 10).toFile(path.join(dir, "train", "COVID", "b.png"));
    const s = await inputStats({ file: png8 });
    expect(s).toMatchObject({ width: 64, height: 32, bitDepth: 8, source: "PNG" });
    // 200 falls in bin 200 * 16 / 256 = 12.
    expect(s.histogram[12]).toBeCloseTo(1, 9);
    expect(s.histogram.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);

    const png16 = path.join(dir, "deep.png");
    await grey(16, 16, 128).png({ force: true }).toColourspace("grey16").toFile(png16);
    expect((await inputStats({ file: png16 })).bitDepth).toBe(16);

    // A DICOM original: BitsStored and Modality from its header, the histogram from the rendered PNG.
    const dicom = path.join(dir, "scan.dcm");
    await writeFile(
      dicom,
      await buildDicom({
        width: 4,
        height: 4,
        pixels: new Array(16).fill(100),
        bitsAllocated: 16,
        bitsStored: 12,
        attributes: { Modality: "CR" },
      }),
    );
    const fromDicom = await inputStats({ file: png8, sourceFormat: "dicom", sourceFile: dicom });
    expect(fromDicom).toMatchObject({ bitDepth: 12, source: "DICOM CR" });

    const reference = await trainingInputStats(path.join(dir, "train"));
    expect(reference.map((r) => [r.width, r.height]).sort()).toEqual([
      [40, 40],
      [64, 32],
    ]);
    await expect(inputStats({ file: path.join(dir, "missing.png") })).rejects.toThrow(
      /missing\.png: cannot read it/,
    );
    await writeFile(path.join(dir, "bad.png"), "not an image");
    await expect(inputStats({ file: path.join(dir, "bad.png") })).rejects.toThrow(
      /bad\.png: not a readable image/,
    );
  });
});
