/** apps/trainer is the worker process: `cxrlab-worker` runs the store's queue (here: an empty one). */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";

const dir = mkdtempSync(path.join(tmpdir(), "trainer-app-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const bin = path.resolve(import.meta.dirname, "../../apps/trainer/bin/cxrlab-worker.mjs");

it("drains an empty queue with --once and prints its summary", () => {
  const out = execFileSync(process.execPath, [bin, "--once", "--json", "--out", path.join(dir, "runs")], {
    env: { ...process.env, DATABASE_URL: `file:${path.join(dir, "store.db")}` },
    stdio: ["ignore", "pipe", "pipe"],
  });
  expect(JSON.parse(out.toString())).toMatchObject({ completed: [], failed: [], cancelled: [] });
});

it("refuses a bad option, naming it", () => {
  expect(() =>
    execFileSync(process.execPath, [bin, "--concurrency", "0"], { stdio: ["ignore", "pipe", "pipe"] }),
  ).toThrow(/--concurrency 0: expected a whole number/);
});
