import { cpSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { handleGradCam } from "@cxrlab/api/http";
import { selectBackend } from "@cxrlab/core/backend";
import { imageFileInfo } from "@cxrlab/core/data";
import { createGradCamService } from "@cxrlab/core/gradcam";
import { loadModelForInference } from "@cxrlab/core/inference";
import { saveModel } from "@cxrlab/core/model";
import { imagenetDenseNet, testConfig, testModelMeta } from "@cxrlab/core/testing";
import {
  createRun,
  migrate,
  openStore,
  recordPredictions,
  type Store,
  updateRunStatus,
  upsertImage,
} from "@cxrlab/db";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestAccount, testAccount } from "./accounts.ts";
import { CLASSES, sampleImagePaths } from "./fixture.ts";

// A DenseNet169 with ImageNet weights and a seeded head, saved as training saves it, at a small
// input size so each Grad-CAM takes milliseconds.
const IMAGE_SIZE = 64;

let dir: string;
let store: Store;
let viewer: TestAccount;
let runId: number;
let noModelRunId: number;
let goneModelRunId: number;
let square: { id: number; file: string };
let wide: { id: number; file: string };

async function record(file: string) {
  const info = await imageFileInfo(file);
  return { id: (await upsertImage(store, { ...info, location: file, label: "Normal" })).id, file };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cxrlab-gradcam-http-"));
  store = await openStore(`file:${path.join(dir, "store.db")}`);
  await migrate(store);
  await selectBackend();
  const modelDir = path.join(dir, "run", "model");
  const model = await imagenetDenseNet(IMAGE_SIZE);
  await saveModel(modelDir, model, testModelMeta(IMAGE_SIZE));
  model.dispose();
  const config = testConfig(IMAGE_SIZE);
  const withModel = async (location: string | null) => {
    const run = await createRun(store, { config });
    await updateRunStatus(store, run.id, "succeeded", location ? { model: { location, bytes: 1 } } : {});
    return run.id;
  };
  runId = await withModel(path.join(dir, "run"));
  noModelRunId = await withModel(null);
  const goneDir = path.join(dir, "gone-run");
  cpSync(path.join(dir, "run"), goneDir, { recursive: true });
  goneModelRunId = await withModel(goneDir);
  rmSync(goneDir, { recursive: true });

  const [xray] = sampleImagePaths(1).map((s) => s.path);
  square = await record(xray!);
  const wideFile = path.join(dir, "wide.png");
  await sharp(xray!).resize(300, 200, { fit: "fill" }).png().toFile(wideFile);
  wide = await record(wideFile);
  // Heatmaps are served to members of the run's project, for images a run of theirs predicted.
  await recordPredictions(
    store,
    runId,
    [square.id, wide.id].map((imageId) => ({
      imageId,
      probabilities: { Normal: 1 },
      predictedLabel: "Normal",
    })),
  );
  viewer = await testAccount(store, "viewer");
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const request = (query = "", headers: Record<string, string> = {}) =>
  new Request(`http://localhost/api/gradcam/x/y${query}`, {
    headers: { ...Object.fromEntries(viewer.headers), ...headers },
  });

describe("GET /api/gradcam/{runId}/{imageId}", () => {
  it("serves the run's model's heatmap as a transparent PNG at the image's size, cached", async () => {
    const cacheDir = path.join(dir, "cache");
    const res = await handleGradCam(
      request(),
      { runId: String(runId), imageId: String(square.id) },
      { store, cacheDir },
    );
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
    const png = Buffer.from(await res.arrayBuffer());
    const meta = await sharp(png).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([256, 256, 4]);
    // Cold regions are transparent: alpha varies across the map.
    const alpha = await sharp(png).extractChannel(3).stats();
    expect(alpha.channels[0]!.min).toBeLessThan(alpha.channels[0]!.max);

    // The same map core's Grad-CAM service draws for the model's top class.
    const service = await createGradCamService(await loadModelForInference(path.join(dir, "run")), {
      cacheDir: path.join(dir, "direct"),
    });
    const direct = await service.png(square.file, { target: "predicted", kind: "heatmap", size: 256 });
    expect(png.equals(direct.png)).toBe(true);
    expect(decodeURIComponent(res.headers.get("x-gradcam-class")!)).toBe(direct.className);
    expect(Number(res.headers.get("x-gradcam-probability"))).toBeCloseTo(direct.probability, 5);

    const etag = res.headers.get("etag")!;
    const again = await handleGradCam(
      request("", { "If-None-Match": etag }),
      { runId, imageId: square.id },
      { store, cacheDir },
    );
    expect(again.status).toBe(304);
  });

  it("explains the class named in ?class= and stretches the map to a non-square image", async () => {
    const cacheDir = path.join(dir, "cache");
    const res = await handleGradCam(
      request("?class=Viral%20Pneumonia"),
      { runId, imageId: wide.id },
      { store, cacheDir },
    );
    expect(res.status).toBe(200);
    expect(decodeURIComponent(res.headers.get("x-gradcam-class")!)).toBe("Viral Pneumonia");
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([300, 200]);
    const other = await handleGradCam(
      request("?class=COVID"),
      { runId, imageId: wide.id },
      { store, cacheDir },
    );
    expect(other.headers.get("etag")).not.toBe(res.headers.get("etag"));
  });

  it("answers 400 for an unknown class, 404 for unknown runs and images or a run without a model, 410 for a deleted model", async () => {
    const cacheDir = path.join(dir, "cache");
    const cases: [{ runId: number | string; imageId: number | string }, string, number, string][] = [
      [{ runId, imageId: square.id }, "?class=Cat", 400, `${CLASSES.join(", ")}`],
      [{ runId: 987654, imageId: square.id }, "", 404, "run 987654 not found"],
      [{ runId, imageId: 987654 }, "", 404, "image 987654 not found"],
      [{ runId: noModelRunId, imageId: square.id }, "", 404, "has no saved model"],
      [{ runId: goneModelRunId, imageId: square.id }, "", 410, "no trained model"],
      [{ runId: "x", imageId: square.id }, "", 400, "run id must be a positive integer"],
    ];
    for (const [params, query, status, message] of cases) {
      const res = await handleGradCam(request(query), params, { store, cacheDir });
      expect(res.status).toBe(status);
      const text = await res.text();
      expect(text).toContain(message);
      expect(text).not.toContain(dir);
    }
  });
});
