/**
 * Issue 17, finding 15: what CXR Lab writes at rest is its user's alone, whatever the umask: the
 * folders it creates are 0700 and its files 0600 (the SQLite store, the image store, the thumbnail
 * and Grad-CAM caches; the weights download cache is checked in core's weights tests).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { cachedFile } from "@cxrlab/core/gradcam";
import { migrate, openStore, putContent } from "@cxrlab/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let dir: string;
let umask: number;
const mode = (p: string) => statSync(p).mode & 0o777;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cxrlab-private-"));
  // The usual default: without care, folders would be 0755 and files 0644.
  umask = process.umask(0o022);
});
afterAll(() => {
  process.umask(umask);
  rmSync(dir, { recursive: true, force: true });
});

describe("files at rest", () => {
  it("the SQLite store: its new folders 0700, the database and its WAL files 0600", async () => {
    const file = path.join(dir, "data", "cxrlab", "store.db");
    const store = await openStore(`file:${file}`);
    try {
      await migrate(store);
      await store.prisma.project.findMany();
      expect(mode(path.join(dir, "data"))).toBe(0o700);
      expect(mode(path.dirname(file))).toBe(0o700);
      const files = readdirSync(path.dirname(file)).filter((f) => f.startsWith("store.db"));
      expect(files).toContain("store.db");
      for (const f of files) expect(mode(path.join(path.dirname(file), f)), f).toBe(0o600);
    } finally {
      await store.close();
    }
  });

  it("the image store: 0700 folders, 0600 images", async () => {
    const root = path.join(dir, "share", "images");
    const { location } = await putContent(root, Buffer.from("not really a png"), "png");
    for (const folder of [path.join(dir, "share"), root, path.dirname(location)])
      expect(mode(folder)).toBe(0o700);
    expect(mode(location)).toBe(0o600);
  });

  it("the thumbnail and Grad-CAM caches (cachedFile): 0700 folders, 0600 files", async () => {
    const file = path.join(dir, "cache", "thumbnails", "ab", "abc-160.jpg");
    await cachedFile(file, async () => Buffer.from("jpeg"));
    for (const folder of [path.join(dir, "cache"), path.dirname(path.dirname(file)), path.dirname(file)])
      expect(mode(folder)).toBe(0o700);
    expect(mode(file)).toBe(0o600);
    expect(existsSync(`${file}.${process.pid}.partial`)).toBe(false);
  });
});
