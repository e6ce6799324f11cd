/**
 * Issue 17, finding 13: the image routes serve only the bytes that were recorded (a same-size
 * replacement is refused, not served under the old immutable ETag), name no server path in any
 * error, and give roles without patient access the pixels without the files' metadata.
 */
import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { crc32 } from "node:zlib";
import { errorResponse, handleImage, handleThumbnail, withoutMetadata, withoutPaths } from "@cxrlab/api/http";
import { imageFileInfo } from "@cxrlab/core/data";
import { resolveConfig } from "@cxrlab/core/presets";
import {
  createRun,
  ingestContents,
  migrate,
  openStore,
  recordPredictions,
  type Store,
  upsertImage,
} from "@cxrlab/db";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestAccount, testAccount } from "./accounts.ts";
import { sampleImagePaths } from "./fixture.ts";

const SECRET = "PATIENT-DOE-JANE-1953";

let dir: string;
let store: Store;
let viewer: TestAccount;
let clinician: TestAccount;
const ids = { replaced: 0, gone: 0, png: 0, jpeg: 0, dataset: 0 };
const files = { replaced: "", original: "", dataset: "" };
let pngBytes: Buffer;
let jpegBytes: Buffer;

/** A PNG chunk of `type` holding `data`, with its CRC. */
function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** `png` with a tEXt chunk inserted right after IHDR (8 signature + 25 IHDR bytes). */
function withText(png: Buffer, keyword: string, text: string): Buffer {
  const tEXt = chunk("tEXt", Buffer.from(`${keyword}\0${text}`, "latin1"));
  return Buffer.concat([png.subarray(0, 33), tEXt, png.subarray(33)]);
}

async function record(file: string): Promise<number> {
  const info = await imageFileInfo(file);
  return (await upsertImage(store, { ...info, location: file, label: "COVID" })).id;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cxrlab-image-integrity-"));
  store = await openStore(`file:${path.join(dir, "store.db")}`);
  await migrate(store);
  const [first, second, third] = sampleImagePaths(1).map((s) => s.path);
  // Two files of the same size and different content.
  files.original = path.join(dir, "original.png");
  await sharp(first!).resize(64, 64).png().toFile(files.original);
  files.replaced = path.join(dir, "replaced.png");
  copyFileSync(files.original, files.replaced);
  ids.replaced = await record(files.replaced);
  const gone = path.join(dir, "gone.png");
  await sharp(second!).png().toFile(gone);
  ids.gone = await record(gone);
  rmSync(gone);
  // A dataset image (no archived patient) with a text chunk.
  files.dataset = path.join(dir, "dataset.png");
  writeFileSync(
    files.dataset,
    withText(await sharp(second!).resize(48, 48).png().toBuffer(), "Author", SECRET),
  );
  ids.dataset = await record(files.dataset);

  // Patient images with metadata that identifies the patient, archived in project "chest".
  pngBytes = withText(
    await sharp(third!)
      .resize(96, 96)
      .png()
      .withExif({ IFD0: { ImageDescription: SECRET } })
      .toBuffer(),
    "Comment",
    SECRET,
  );
  jpegBytes = await sharp(third!)
    .resize(96, 96)
    .jpeg({ quality: 90 })
    .withExif({ IFD0: { ImageDescription: SECRET, Artist: SECRET } })
    .toBuffer();
  expect(pngBytes.includes(SECRET)).toBe(true);
  expect(jpegBytes.includes(SECRET)).toBe(true);
  const imageStore = path.join(dir, "images");
  const ingested = await ingestContents(
    store,
    [
      { file: "a.png", bytes: pngBytes },
      { file: "b.jpg", bytes: jpegBytes },
    ],
    { imageStore, project: "chest", maxPixels: 50_000_000, fields: { patientId: "PAT-9" } },
  );
  expect(ingested.rejected).toEqual([]);
  [ids.png, ids.jpeg] = ingested.new.map((entry) => entry.imageId) as [number, number];

  // A run of each project predicted the images: viewers see them through it.
  for (const [project, imageIds] of [
    ["default", [ids.replaced, ids.gone, ids.dataset]],
    ["chest", [ids.png, ids.jpeg]],
  ] as const) {
    const run = await createRun(store, { config: resolveConfig("quick"), project });
    await recordPredictions(
      store,
      run.id,
      imageIds.map((imageId) => ({
        imageId,
        probabilities: { COVID: 0.9, Normal: 0.1 },
        predictedLabel: "COVID",
      })),
    );
  }
  viewer = await testAccount(store, "viewer", ["default", "chest"]);
  clinician = await testAccount(store, "clinician", ["default", "chest"]);
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (account: TestAccount, headers: Record<string, string> = {}) =>
  new Request("http://localhost/x", { headers: { ...Object.fromEntries(account.headers), ...headers } });

describe("content check", () => {
  it("refuses a same-size replacement (410, no ETag) instead of serving it under the old ETag", async () => {
    const first = await handleImage(get(viewer), { imageId: ids.replaced }, { store });
    expect(first.status).toBe(200);
    const etag = first.headers.get("etag");
    const original = readFileSync(files.original);
    // Same size, different bytes, and the old modification time put back.
    const replacement = Buffer.from(original);
    replacement[replacement.length - 20]! ^= 0xff;
    const { mtime } = statSync(files.replaced);
    writeFileSync(files.replaced, replacement);
    utimesSync(files.replaced, mtime, mtime);
    for (const handler of [handleImage, handleThumbnail] as const) {
      const res = await handler(
        get(viewer),
        { imageId: ids.replaced },
        { store, cacheDir: path.join(dir, "t") },
      );
      expect(res.status).toBe(410);
      expect(res.headers.get("etag")).toBeNull();
      expect(res.headers.get("cache-control")).toBe("no-store");
      const text = await res.text();
      expect(text).toContain("changed");
      expect(text).not.toContain(dir);
    }
    // The recorded bytes back in place: served again, under the same ETag.
    writeFileSync(files.replaced, original);
    const again = await handleImage(get(viewer), { imageId: ids.replaced }, { store });
    expect(again.status).toBe(200);
    expect(again.headers.get("etag")).toBe(etag);
    expect(Buffer.from(await again.arrayBuffer()).equals(original)).toBe(true);
  });
});

describe("error messages", () => {
  it("name no server path: a vanished file, an unexpected error", async () => {
    const gone = await handleImage(get(viewer), { imageId: ids.gone }, { store });
    expect(gone.status).toBe(410);
    const text = await gone.text();
    expect(text).toContain(`image ${ids.gone}`);
    expect(text).not.toContain(dir);
    expect(text).not.toContain("/");

    const internal = errorResponse(new Error(`ENOENT: no such file or directory, open '${dir}/x.png'`));
    expect(internal.status).toBe(500);
    expect(await internal.text()).not.toContain(dir);
    // Upload rejection reasons pass through this too: a path goes, the rest stays.
    expect(withoutPaths(`image store ${dir}/images: cannot write ${dir}/images/ab/ab.png: EACCES`)).toBe(
      "image store (path): cannot write (path): EACCES",
    );
    expect(
      withoutPaths("expected multipart/form-data, got text/plain; 1/2 from http://127.0.0.1:3000/x"),
    ).toBe("expected multipart/form-data, got text/plain; 1/2 from http://127.0.0.1:3000/x");
  });
});

describe("metadata of originals", () => {
  it("is stripped for a role without patient access: no EXIF or PNG text, the same pixels", async () => {
    for (const [id, original, type] of [
      [ids.png, pngBytes, "image/png"],
      [ids.jpeg, jpegBytes, "image/jpeg"],
      [ids.dataset, readFileSync(files.dataset), "image/png"],
    ] as const) {
      const res = await handleImage(get(viewer), { imageId: id }, { store });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe(type);
      const body = Buffer.from(await res.arrayBuffer());
      expect(body.includes(SECRET)).toBe(false);
      expect(res.headers.get("content-length")).toBe(String(body.length));
      const meta = await sharp(body).metadata();
      expect(meta.exif).toBeUndefined();
      expect(meta.comments ?? []).toEqual([]);
      // Pixels exactly as in the original (JPEG: the compressed data is copied, not re-encoded).
      const [served, recorded] = await Promise.all(
        [body, original].map((b) => sharp(b).raw().toBuffer({ resolveWithObject: true })),
      );
      expect(served!.info).toEqual(recorded!.info);
      expect(served!.data.equals(recorded!.data)).toBe(true);
      // A different representation has a different ETag, and revalidates against it.
      const etag = res.headers.get("etag")!;
      const full = await handleImage(get(clinician), { imageId: id }, { store });
      expect(full.headers.get("etag")).not.toBe(etag);
      expect(
        (await handleImage(get(viewer, { "If-None-Match": etag }), { imageId: id }, { store })).status,
      ).toBe(304);
    }
  });

  it("is kept for a clinician of the patient's project, or of a dataset image's (the recorded bytes)", async () => {
    for (const [id, original] of [
      [ids.png, pngBytes],
      [ids.jpeg, jpegBytes],
      [ids.dataset, readFileSync(files.dataset)],
    ] as const) {
      const res = await handleImage(get(clinician), { imageId: id }, { store });
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(original)).toBe(true);
    }
  });

  it("keeps a progressive JPEG's scans as they are, and turns an image with an EXIF orientation upright as a PNG", async () => {
    const noise = sharp({
      create: {
        width: 123,
        height: 77,
        channels: 3,
        background: "#000",
        noise: { type: "gaussian", mean: 128, sigma: 40 },
      },
    });
    const progressive = await noise
      .clone()
      .jpeg({ progressive: true })
      .withExif({ IFD0: { Artist: SECRET } })
      .toBuffer();
    const stripped = await withoutMetadata(progressive, "image/jpeg");
    expect(stripped.contentType).toBe("image/jpeg");
    expect(stripped.bytes.includes(SECRET)).toBe(false);
    const [a, b] = await Promise.all([progressive, stripped.bytes].map((x) => sharp(x).raw().toBuffer()));
    expect(a!.equals(b!)).toBe(true);

    const turned = await noise.clone().jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const upright = await withoutMetadata(turned, "image/jpeg");
    expect(upright.contentType).toBe("image/png");
    const meta = await sharp(upright.bytes).metadata();
    expect([meta.width, meta.height, meta.orientation, meta.exif]).toEqual([77, 123, undefined, undefined]);
  });
});
