import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { handleImage, handleThumbnail, THUMBNAIL_SIZES } from "@cxrlab/api/http";
import { imageFileInfo } from "@cxrlab/core/data";
import { resolveConfig } from "@cxrlab/core/presets";
import { createRun, migrate, openStore, recordPredictions, type Store, upsertImage } from "@cxrlab/db";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestAccount, testAccount } from "./accounts.ts";
import { sampleImagePaths } from "./fixture.ts";

const IMMUTABLE = "private, max-age=31536000, immutable";

let dir: string;
let store: Store;
let viewer: TestAccount;
const ids: Record<"png" | "jpeg" | "gone" | "changed", number> = { png: 0, jpeg: 0, gone: 0, changed: 0 };
const files: Record<string, string> = {};

async function record(file: string, overrides: { format?: string } = {}): Promise<number> {
  const info = await imageFileInfo(file);
  return (await upsertImage(store, { ...info, location: file, label: "COVID", ...overrides })).id;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cxrlab-http-"));
  store = await openStore(`file:${path.join(dir, "store.db")}`);
  await migrate(store);
  const [first, second, third, fourth] = sampleImagePaths(2).map((s) => s.path);
  files.png = first!;
  ids.png = await record(files.png);
  // A JPEG recorded with a wrong format: the bytes decide the Content-Type.
  files.jpeg = path.join(dir, "xray.jpg");
  await sharp(second!).jpeg({ quality: 90 }).toFile(files.jpeg);
  ids.jpeg = await record(files.jpeg, { format: "png" });
  files.gone = path.join(dir, "gone.png");
  copyFileSync(third!, files.gone);
  ids.gone = await record(files.gone);
  rmSync(files.gone);
  files.changed = path.join(dir, "changed.png");
  copyFileSync(fourth!, files.changed);
  ids.changed = await record(files.changed);
  writeFileSync(files.changed, readFileSync(files.png));
  // Images are served to members of a project whose run predicted them.
  const run = await createRun(store, { config: resolveConfig("quick") });
  await recordPredictions(
    store,
    run.id,
    Object.values(ids).map((imageId) => ({
      imageId,
      probabilities: { COVID: 0.9, Normal: 0.1 },
      predictedLabel: "COVID",
    })),
  );
  viewer = await testAccount(store, "viewer");
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (url: string, headers: Record<string, string> = {}, method = "GET") =>
  new Request(`http://localhost${url}`, {
    headers: { ...Object.fromEntries(viewer.headers), ...headers },
    method,
  });

describe("GET /api/images/{id}", () => {
  it("serves the recorded file's bytes with its type, ETag = sha256 and a year of private caching", async () => {
    const res = await handleImage(get(`/api/images/${ids.png}`), { imageId: String(ids.png) }, { store });
    expect(res.status).toBe(200);
    const { sha256 } = await imageFileInfo(files.png!);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("etag")).toBe(`"${sha256}"`);
    expect(res.headers.get("cache-control")).toBe(IMMUTABLE);
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.equals(readFileSync(files.png!))).toBe(true);
    expect(res.headers.get("content-length")).toBe(String(body.length));
  });

  it("sniffs the type from the bytes, not a wrong recorded format", async () => {
    const res = await handleImage(get("/x"), { imageId: ids.jpeg }, { store });
    expect(res.headers.get("content-type")).toBe("image/jpeg");
    expect(Buffer.from(await res.arrayBuffer()).equals(readFileSync(files.jpeg!))).toBe(true);
  });

  it("answers 304 without a body when the client holds the ETag (also weak or in a list)", async () => {
    const etag = (await handleImage(get("/x"), { imageId: ids.png }, { store })).headers.get("etag")!;
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`, "*"]) {
      const res = await handleImage(get("/x", { "If-None-Match": header }), { imageId: ids.png }, { store });
      expect(res.status).toBe(304);
      expect(res.headers.get("etag")).toBe(etag);
      expect(res.headers.get("cache-control")).toBe(IMMUTABLE);
      expect(await res.text()).toBe("");
    }
    const stale = await handleImage(
      get("/x", { "If-None-Match": '"other"' }),
      { imageId: ids.png },
      { store },
    );
    expect(stale.status).toBe(200);
  });

  it("sends headers without a body for HEAD", async () => {
    const res = await handleImage(get("/x", {}, "HEAD"), { imageId: ids.png }, { store });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-length")).toBe(String(readFileSync(files.png!).length));
    expect(await res.text()).toBe("");
  });

  it("answers 404 for an unknown id, 400 for a malformed one, 410 when the file is gone or changed", async () => {
    const cases: [string | number, number, string][] = [
      [987654, 404, "image 987654 not found"],
      ["abc", 400, 'image id must be a positive integer, got "abc"'],
      ["0", 400, "positive integer"],
      [ids.gone, 410, "its file is gone"],
      [ids.changed, 410, "the file changed"],
    ];
    for (const [imageId, status, message] of cases) {
      const res = await handleImage(get("/x"), { imageId }, { store });
      expect(res.status).toBe(status);
      expect(res.headers.get("cache-control")).toBe("no-store");
      const text = await res.text();
      expect(text).toContain(message);
      expect(text).not.toContain(dir);
    }
  });
});

describe("GET /api/images/{id}/thumbnail", () => {
  const thumb = (query: string, headers: Record<string, string> = {}, cacheDir = path.join(dir, "thumbs")) =>
    handleThumbnail(
      get(`/api/images/${ids.png}/thumbnail${query}`, headers),
      { imageId: ids.png },
      { store, cacheDir },
    );

  it("serves a 160 px JPEG by default and the size asked for, never enlarged", async () => {
    const { width, height } = await sharp(files.png!).metadata();
    for (const [query, side] of [
      ["", 160],
      ["?size=64", 64],
      ["?size=1024", Math.min(640, Math.max(width!, height!))],
    ] as const) {
      const res = await thumb(query);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/jpeg");
      expect(res.headers.get("cache-control")).toBe(IMMUTABLE);
      const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
      expect(meta.format).toBe("jpeg");
      expect(Math.max(meta.width!, meta.height!)).toBe(side);
    }
  });

  it("keeps each thumbnail on disk and serves it from there", async () => {
    const cacheDir = path.join(dir, "thumbs-cache");
    const first = Buffer.from(await (await thumb("?size=160", {}, cacheDir)).arrayBuffer());
    const { sha256 } = await imageFileInfo(files.png!);
    const cached = path.join(cacheDir, sha256.slice(0, 2), `${sha256}-160.jpg`);
    expect(readFileSync(cached).equals(first)).toBe(true);
    // A changed cache file is what the next request serves: it was not recomputed.
    const marker = await sharp(first).jpeg({ quality: 10 }).toBuffer();
    writeFileSync(cached, marker);
    const second = Buffer.from(await (await thumb("?size=160", {}, cacheDir)).arrayBuffer());
    expect(second.equals(marker)).toBe(true);
  });

  it("makes only a few fixed sizes: a size asked for snaps up to the next one (at most 4 files an image)", async () => {
    const cacheDir = path.join(dir, "thumbs-sizes");
    const served = new Set<string>();
    for (let size = 16; size <= 1024; size += 37) {
      const res = await thumb(`?size=${size}`, {}, cacheDir);
      expect(res.status).toBe(200);
      served.add(res.headers.get("etag")!);
    }
    expect(THUMBNAIL_SIZES).toEqual([64, 160, 320, 640]);
    expect(served.size).toBeLessThanOrEqual(THUMBNAIL_SIZES.length);
    const cached = readdirSync(cacheDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(cached.length).toBeLessThanOrEqual(THUMBNAIL_SIZES.length);
    // What the dashboard asks for is made as asked.
    const dashboard = await thumb("?size=160", {}, cacheDir);
    const meta = await sharp(Buffer.from(await dashboard.arrayBuffer())).metadata();
    expect(Math.max(meta.width!, meta.height!)).toBe(160);
    expect((await thumb("?size=100", {}, cacheDir)).headers.get("etag")).toBe(dashboard.headers.get("etag"));
  });

  it("has an ETag per image and size, answers 304 for it, and rejects bad sizes", async () => {
    const res = await thumb("?size=64");
    const etag = res.headers.get("etag")!;
    expect(etag).not.toBe((await thumb("?size=160")).headers.get("etag"));
    expect((await thumb("?size=64", { "If-None-Match": etag })).status).toBe(304);
    for (const bad of ["?size=0", "?size=abc", "?size=5000", "?size=-3"]) {
      const r = await thumb(bad);
      expect(r.status).toBe(400);
      expect(await r.text()).toContain("size must be an integer");
    }
    const gone = await handleThumbnail(
      get("/x"),
      { imageId: ids.gone },
      { store, cacheDir: path.join(dir, "t") },
    );
    expect(gone.status).toBe(410);
    expect(existsSync(path.join(dir, "t"))).toBe(false);
  });
});
