/**
 * How long the prediction browser's queries take on a run with many predictions: first, middle
 * and last page, each filter, both sorts, on a SQLite file and (with CXRLAB_TEST_POSTGRES_URL) a
 * scratch PostgreSQL database. Also times storing the predictions.
 * Run: `node --import tsx bench/predictions-paging.ts [count=10000]`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createCaller, createContext, type RouterInputs } from "@cxrlab/api";
import { readEnv } from "@cxrlab/core/env";
import { migrate, openStore } from "@cxrlab/db";
import { createScratchPostgres } from "@cxrlab/db/testing";
import { seedBigRun } from "../test/api/seed-predictions.ts";

const COUNT = Number(process.argv[2] ?? 10_000);
const REPS = 5;

type Query = Omit<RouterInputs["predictions"]["list"], "runId">;

const QUERIES: [string, Query][] = [
  ["all, confidence desc, page 1", {}],
  ["all, confidence desc, middle page", { page: Math.ceil(COUNT / 120) }],
  ["all, confidence desc, last page", { page: Math.ceil(COUNT / 60) }],
  ["all, image id asc, middle page", { sort: "imageId", dir: "asc", page: Math.ceil(COUNT / 120) }],
  ["misclassified, confidence asc", { misclassified: true, dir: "asc" }],
  ["true Normal, 0.4..0.6", { trueLabel: "Normal", minConfidence: 0.4, maxConfidence: 0.6 }],
  ["predicted COVID, misclassified, page 5", { predictedLabel: "COVID", misclassified: true, page: 5 }],
];

async function bench(label: string, url: string): Promise<void> {
  const store = await openStore(url);
  try {
    await migrate(store);
    const seedStart = performance.now();
    const { runId } = await seedBigRun(store, COUNT);
    const seedMs = performance.now() - seedStart;
    console.log(
      `\n${label}: ${COUNT} predictions stored in ${(seedMs / 1000).toFixed(1)} s (${((1000 * COUNT) / seedMs).toFixed(0)} rows/s)`,
    );
    const api = createCaller(await createContext({ store }));
    console.log(`${"query (60 per page)".padEnd(44)} median ms   min ms  total rows`);
    for (const [name, query] of QUERIES) {
      const times: number[] = [];
      let total = 0;
      for (let rep = 0; rep < REPS + 1; rep++) {
        const start = performance.now();
        total = (await api.predictions.list({ runId, pageSize: 60, ...query })).total;
        if (rep > 0) times.push(performance.now() - start); // the first call warms caches
      }
      times.sort((a, b) => a - b);
      console.log(
        `${name.padEnd(44)} ${times[Math.floor(times.length / 2)]!.toFixed(2).padStart(9)} ${times[0]!.toFixed(2).padStart(8)} ${String(total).padStart(11)}`,
      );
    }
  } finally {
    await store.close();
  }
}

const dir = mkdtempSync(path.join(os.tmpdir(), "cxrlab-bench-paging-"));
try {
  await bench("SQLite", `file:${path.join(dir, "store.db")}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const server = readEnv().CXRLAB_TEST_POSTGRES_URL;
if (server) {
  const pg = await createScratchPostgres(server);
  try {
    await bench("PostgreSQL", pg.url);
  } finally {
    await pg.drop();
  }
} else {
  console.log("\nPostgreSQL: skipped (set CXRLAB_TEST_POSTGRES_URL to include it)");
}
