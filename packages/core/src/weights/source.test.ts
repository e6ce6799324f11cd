import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadWeightSource, WeightMap, weightsCacheDir, writeKerasH5Weights } from "./index.ts";

const tmp = mkdtempSync(path.join(os.tmpdir(), "cxrlab-source-"));
const served = path.join(tmp, "served");

/** A TF.js model of two one-tensor groups, the second without its shard file. */
function writeTfjsModel(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const manifest = [
    { paths: ["group1-shard1of1"], weights: [{ name: "a/bias", shape: [2], dtype: "float32" }] },
    { paths: ["group2-shard1of1"], weights: [{ name: "b/bias", shape: [1], dtype: "float32" }] },
  ];
  writeFileSync(
    path.join(dir, "model.json"),
    JSON.stringify({ modelTopology: {}, weightsManifest: manifest }),
  );
  writeFileSync(path.join(dir, "group1-shard1of1"), Buffer.from(new Float32Array([1.5, -2]).buffer));
}

describe("loadWeightSource", () => {
  let server: Server;
  let base: string;
  const requests: string[] = [];

  beforeAll(async () => {
    process.env.CXRLAB_CACHE = path.join(tmp, "cache");
    writeTfjsModel(served);
    const h5 = new WeightMap("test");
    h5.set("a/bias", { shape: [2], data: new Float32Array([3, 4]) });
    await writeKerasH5Weights(path.join(served, "weights.h5"), h5);
    server = createServer((req, res) => {
      requests.push(req.url!);
      const file = path.join(served, decodeURIComponent(req.url!));
      if (!existsSync(file)) return res.writeHead(404).end();
      res.writeHead(200).end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(tmp, { recursive: true, force: true });
  });

  it("tells TF.js folders, model.json files and .h5 files apart (by content, not name)", async () => {
    expect((await loadWeightSource(served)).get("a/bias")!.data).toEqual(Float32Array.from([1.5, -2]));
    expect((await loadWeightSource(path.join(served, "model.json"))).missing.map((m) => m.name)).toEqual([
      "b/bias",
    ]);
    const renamed = path.join(tmp, "weights.bin");
    writeFileSync(renamed, readFileSync(path.join(served, "weights.h5")));
    expect((await loadWeightSource(renamed)).get("a/bias")!.data).toEqual(Float32Array.from([3, 4]));
  });

  it("downloads a model.json URL with its shards into the cache, once", async () => {
    const umask = process.umask(0o022);
    const map = await loadWeightSource(`${base}/model.json`);
    expect(map.source.startsWith(weightsCacheDir())).toBe(true);
    // The downloads are the user's alone (issue 17, finding 15): a 0700 folder of 0600 files.
    process.umask(umask);
    const downloaded = statSync(map.source).isDirectory() ? map.source : path.dirname(map.source);
    expect(statSync(downloaded).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(downloaded))
      expect(statSync(path.join(downloaded, f)).mode & 0o777, f).toBe(0o600);
    expect(map.get("a/bias")!.data).toEqual(Float32Array.from([1.5, -2]));
    expect(map.missing.map((m) => m.name)).toEqual(["b/bias"]);
    expect(requests).toEqual(["/model.json", "/group1-shard1of1", "/group2-shard1of1"]);

    await loadWeightSource(`${base}/model.json`);
    expect(requests).toEqual(["/model.json", "/group1-shard1of1", "/group2-shard1of1", "/group2-shard1of1"]);
  });

  it("downloads an .h5 URL and fails clearly on a 404", async () => {
    expect((await loadWeightSource(`${base}/weights.h5`)).get("a/bias")!.data).toEqual(
      Float32Array.from([3, 4]),
    );
    await expect(loadWeightSource(`${base}/absent.h5`)).rejects.toThrow(
      `cannot download ${base}/absent.h5: HTTP 404 Not Found`,
    );
  });

  it("explains a missing path and an unknown format", async () => {
    const nowhere = path.join(tmp, "nowhere.h5");
    await expect(loadWeightSource(nowhere)).rejects.toThrow(`weight source not found: ${nowhere}`);
    const text = path.join(tmp, "notes.txt");
    writeFileSync(text, "hello");
    await expect(loadWeightSource(text)).rejects.toThrow(`unknown weight format: ${text}`);
    await expect(loadWeightSource(tmp)).rejects.toThrow(`unknown weight format: ${tmp}`);
  });
});
