/** Helpers for the data tests: temporary folders, small synthetic image files, close matches. */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import sharp from "sharp";
import { expect } from "vitest";

export interface RawImage {
  data: Uint8Array | Uint16Array;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

/** A fresh temporary folder and a function that removes it. */
export async function makeTempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "cxrlab-data-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes raw samples as PNG (8- or 16-bit, as the array type says), JPEG or TIFF. */
export async function writeImage(
  file: string,
  image: RawImage,
  format: "png" | "jpeg" | "tiff" = "png",
): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  const { data, width, height, channels } = image;
  const sixteen = data instanceof Uint16Array;
  const grey = channels <= 2;
  let img = sharp(data, { raw: { width, height, channels } });
  if (sixteen) img = img.toColourspace(grey ? "grey16" : "rgb16");
  else if (grey) img = img.toColourspace("b-w");
  if (format === "png") img = img.png();
  else if (format === "jpeg") img = img.jpeg({ quality: 100 });
  else img = img.tiff({ compression: "lzw" });
  await img.toFile(file);
  return file;
}

/** Creates empty files (enough for listing tests, which never decode). */
export async function touch(root: string, relativePaths: string[]): Promise<void> {
  for (const rel of relativePaths) {
    const file = path.join(root, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, "");
  }
}

/** Element-wise toBeCloseTo, with the lengths equal. */
export function expectClose(actual: ArrayLike<number>, expected: number[], digits = 5): void {
  expect(actual).toHaveLength(expected.length);
  for (const [i, v] of expected.entries()) expect(actual[i]).toBeCloseTo(v, digits);
}
