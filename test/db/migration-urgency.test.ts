import { urgencyOf } from "@cxrlab/validators/reviews";
import { describe, expect, it } from "vitest";
import { postgresServer } from "./databases.ts";
import { migrateRows } from "./migration-rows.ts";

// The reviews migration adds Prediction.urgency (what the worklist sorts by); predictions recorded
// before it must come out with the value recordPredictions would have given them.
const MIGRATION = "reviews";

const PROBABILITIES: Record<string, number>[] = [
  { COVID: 0.7, Normal: 0.2, "Viral Pneumonia": 0.1 },
  { COVID: 0.1, NORMAL: 0.3, "Viral Pneumonia": 0.6 },
  { normal: 0.9, Effusion: 0.1 },
  { Cat: 0.25, Dog: 0.75 },
  { Normal: 1 },
];

const ROWS = `
INSERT INTO "Run" ("id", "name", "preset", "config", "seed") VALUES (1, 'old', 'quick', '{}', 1);
INSERT INTO "Image" ("id", "sha256", "location", "format", "width", "height", "bytes")
  VALUES ${PROBABILITIES.map((_, i) => `(${i + 1}, 'h${i}', '/${i}.png', 'png', 1, 1, 1)`).join(", ")};
INSERT INTO "Prediction" ("id", "runId", "imageId", "probabilities", "predictedLabel", "confidence") VALUES
  ${PROBABILITIES.map((p, i) => `(${i + 1}, 1, ${i + 1}, '${JSON.stringify(p)}', '${Object.keys(p)[0]}', 0.5)`).join(",\n  ")};
`;

const READ = `SELECT "id", "urgency" FROM "Prediction" ORDER BY "id"`;

function expectBackfilled(rows: Record<string, unknown>[]) {
  const expected = PROBABILITIES.map((p, i) => ({ id: i + 1, urgency: urgencyOf(p) }));
  expect(expected.map((e) => e.urgency)).toEqual([0.7, 0.6, 0.1, 0.75, 0]);
  expect(rows.map((r) => ({ id: Number(r.id), urgency: Number(r.urgency) }))).toEqual(expected);
}

describe(`migration ${MIGRATION}`, () => {
  it("fills Prediction.urgency of rows recorded before it on SQLite", async () => {
    const [predictions] = await migrateRows("sqlite", MIGRATION, ROWS, [READ]);
    expectBackfilled(predictions!);
  });

  it.skipIf(!postgresServer)(
    "fills Prediction.urgency of rows recorded before it on PostgreSQL",
    async () => {
      const [predictions] = await migrateRows("postgresql", MIGRATION, ROWS, [READ]);
      expectBackfilled(predictions!);
    },
  );
});
