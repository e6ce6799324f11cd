import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openStore } from "@cxrlab/db";
import { listSourceFiles } from "../../apps/cli/src/dashboard-build.ts";
import { parseJson, ROOT, runCli } from "../helpers.ts";

declare module "vitest" {
  export interface ProvidedContext {
    browserFixture: BrowserFixture;
  }
}

/** What the browser tests get: a store filled by real CLI runs, and those runs as the CLI reported them. */
export interface BrowserFixture {
  /** `file:` URL of this test run's copy of the store, shared by every browser test file. */
  databaseUrl: string;
  /** The trained store as cached; never written (copy it with copyDatabase). */
  pristineDatabase: string;
  runs: FixtureRun[];
}

export interface FixtureRun {
  id: number;
  name: string;
  tags: string[];
  /** Test accuracy as `demo --json` printed it. */
  accuracy: number;
}

/**
 * Two real demo runs on the bundled sample: the demo itself, and a shorter one with another seed so
 * that compare has two runs whose configs differ.
 */
const RECIPE = [
  { name: "demo-baseline", tags: ["baseline"], args: [] },
  { name: "demo-short", tags: ["short"], args: ["--seed", "7", "--epochs", "4"] },
] as const;

const CACHE_ROOT = path.join(ROOT, "node_modules", ".cache", "cxrlab-browser-fixture");
const DB_FILE = "cxrlab.db";

/**
 * The fixture store, trained once and cached under node_modules/.cache. The cache key covers what
 * shapes the stored data (the schema, the store's code, the CLI's code and the recipe); the numbers
 * themselves may come from older training code, which is fine because the tests compare the pages
 * with the store, never with fixed values (delete node_modules/.cache/cxrlab-browser-fixture to
 * retrain anyway). Each test run gets its own copy, so what page tests write (tags, notes) does not
 * leak into the next run.
 */
export async function prepareFixture(signal: AbortSignal): Promise<BrowserFixture & { copyDir: string }> {
  const cached = path.join(CACHE_ROOT, fixtureKey());
  if (!existsSync(path.join(cached, "runs.json"))) await trainFixture(cached, signal);
  const runs = JSON.parse(readFileSync(path.join(cached, "runs.json"), "utf8")) as FixtureRun[];
  const pristineDatabase = path.join(cached, DB_FILE);
  const { databaseUrl, dir: copyDir } = copyDatabase(pristineDatabase);
  return { databaseUrl, pristineDatabase, runs, copyDir };
}

/** A copy of a SQLite store (with its WAL, if any) in a new temp folder. */
export function copyDatabase(file: string): { databaseUrl: string; dir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "cxrlab-browser-db-"));
  for (const suffix of ["", "-wal", "-shm"]) {
    if (existsSync(file + suffix)) copyFileSync(file + suffix, path.join(dir, DB_FILE + suffix));
  }
  return { databaseUrl: `file:${path.join(dir, DB_FILE)}`, dir };
}

async function trainFixture(target: string, signal: AbortSignal): Promise<void> {
  mkdirSync(CACHE_ROOT, { recursive: true });
  // Trained into a scratch folder and renamed into place, so an interrupted run leaves no half cache.
  const scratch = mkdtempSync(path.join(CACHE_ROOT, "training-"));
  try {
    await trainInto(scratch, signal);
  } catch (err) {
    rmSync(scratch, { recursive: true, force: true });
    throw err;
  }
  await relocateModels(scratch, target);
  rmSync(target, { recursive: true, force: true });
  renameSync(scratch, target);
}

/**
 * The store recorded each run's model under the scratch folder; point it to where the rename puts it,
 * or the Grad-CAM route finds no model.
 */
async function relocateModels(scratch: string, target: string): Promise<void> {
  const store = await openStore(`file:${path.join(scratch, DB_FILE)}`);
  try {
    const runs = await store.prisma.run.findMany({ select: { id: true, modelLocation: true } });
    for (const { id, modelLocation } of runs) {
      if (!modelLocation?.startsWith(scratch)) continue;
      const moved = target + modelLocation.slice(scratch.length);
      await store.prisma.run.update({ where: { id }, data: { modelLocation: moved } });
    }
  } finally {
    await store.close();
  }
}

async function trainInto(scratch: string, signal: AbortSignal): Promise<void> {
  const databaseUrl = `file:${path.join(scratch, DB_FILE)}`;
  const runs: FixtureRun[] = [];
  for (const [i, run] of RECIPE.entries()) {
    const started = Date.now();
    say(`training fixture run ${i + 1}/${RECIPE.length} (${run.name}: cxrlab demo ${run.args.join(" ")})...`);
    const result = await runCli(
      [
        "demo",
        "--no-serve",
        "--json",
        "--name",
        run.name,
        "--tag",
        ...run.tags,
        "--out",
        path.join(scratch, "runs"),
        ...run.args,
      ],
      { env: { DATABASE_URL: databaseUrl }, signal },
    );
    if (result.code !== 0) {
      throw new Error(`fixture run ${run.name} failed (exit ${result.code}):\n${result.stderr.slice(-4000)}`);
    }
    const json = parseJson<{ runId: number; accuracy: number }>(result);
    runs.push({ id: json.runId, name: run.name, tags: [...run.tags], accuracy: json.accuracy });
    say(
      `fixture run ${run.name} is run ${json.runId}, test accuracy ${json.accuracy} (${seconds(started)} s)`,
    );
  }
  writeFileSync(path.join(scratch, "runs.json"), `${JSON.stringify(runs, null, 2)}\n`);
}

/** Hash of the files that decide what a demo run stores, of the recipe and of this file (how it trains). */
function fixtureKey(): string {
  const hash = createHash("sha256")
    .update(JSON.stringify(RECIPE))
    .update(readFileSync(fileURLToPath(import.meta.url)));
  const roots = ["prisma/sqlite", "packages/db/src", "apps/cli/src"].map((p) => path.join(ROOT, p));
  for (const file of listSourceFiles(roots, ["generated"])) {
    hash.update(path.relative(ROOT, file)).update(readFileSync(file));
  }
  return hash.digest("hex").slice(0, 16);
}

export function say(line: string): void {
  process.stderr.write(`browser tests: ${line}\n`);
}

export function seconds(since: number): string {
  return ((Date.now() - since) / 1000).toFixed(0);
}
