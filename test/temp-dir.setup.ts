import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";

/**
 * Each test file gets a private TMPDIR (also for the CLI, worker and server processes it starts),
 * removed when the file is done: tests write run folders of trained models (hundreds of MB each),
 * and running the suite again and again must not fill the disk.
 */
const previous = process.env.TMPDIR;
const root = mkdtempSync(path.join(os.tmpdir(), "cxrlab-test-"));
process.env.TMPDIR = root;

afterAll(() => {
  if (previous === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = previous;
  rmSync(root, { recursive: true, force: true });
});
