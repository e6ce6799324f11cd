import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { selectBackend } from "@cxrlab/core/backend";
import { createGradCamService } from "@cxrlab/core/gradcam";
import { loadModelForInference } from "@cxrlab/core/inference";
import { saveModel } from "@cxrlab/core/model";
import { imagenetDenseNet, sampleXrays, testModelMeta } from "@cxrlab/core/testing";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseJson, runCli } from "./helpers.ts";

/** A small untrained model (ImageNet backbone, seeded head) at 64 px, saved as a run folder. */
const SIZE = 64;
const tmp = mkdtempSync(path.join(tmpdir(), "cxrlab-gradcam-cli-"));
const runDir = path.join(tmp, "run");
const env = { CXRLAB_CACHE: path.join(tmp, "cache") };
const images = sampleXrays(1);

interface PredictJson {
  gradcamDir: string;
  predictions: { path: string; predicted: number; predictedClass: string; gradcam: string }[];
}

describe("cxrlab predict --gradcam", () => {
  beforeAll(async () => {
    await selectBackend("wasm");
    const model = await imagenetDenseNet(SIZE);
    await saveModel(path.join(runDir, "model"), model, testModelMeta(SIZE));
    model.dispose();
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("writes an overlay of the predicted class per image into the run folder and lists it in --json", async () => {
    const result = await runCli(["predict", ...images, "--model", runDir, "--gradcam", "--json"], { env });
    const json = parseJson<PredictJson>(result);
    expect(json.gradcamDir).toBe(path.join(runDir, "gradcam"));
    expect(json.predictions.map((p) => p.path)).toEqual(images);
    const loaded = await loadModelForInference(runDir);
    const service = await createGradCamService(loaded, { cacheDir: path.join(tmp, "check") });
    for (const p of json.predictions) {
      expect(path.dirname(p.gradcam)).toBe(json.gradcamDir);
      expect(path.basename(p.gradcam)).toBe(
        `${path.basename(p.path, ".png")}.${p.predictedClass.replace(" ", "-")}.gradcam.png`,
      );
      const png = readFileSync(p.gradcam);
      expect(await sharp(png).metadata()).toMatchObject({ width: SIZE, height: SIZE, channels: 3 });
      // The same overlay core renders for the predicted class, computed afresh in this process.
      const expected = await service.png(p.path, { target: p.predicted, kind: "overlay" });
      expect(expected.cached).toBe(false);
      expect(png.equals(expected.png)).toBe(true);
    }
    expect(result.stderr).toContain(`grad-cam 3/3 ${json.predictions[2]!.gradcam}`);
    await service.dispose();
    loaded.model.dispose();
  });

  it("writes to --gradcam-dir and says where in the text output", async () => {
    const dir = path.join(tmp, "overlays");
    const result = await runCli(
      ["predict", images[0]!, "--model", runDir, "--gradcam", "--gradcam-dir", dir],
      {
        env,
      },
    );
    expect(result.code, result.stderr).toBe(0);
    const [file] = result.stdout.match(/(?<=Grad-CAM: ).*\.gradcam\.png/) ?? [];
    expect(file && path.dirname(file)).toBe(dir);
    expect(existsSync(file!)).toBe(true);
  });
});
