import { describe, expect, it } from "vitest";
import { postgresServer } from "./databases.ts";
import { migrateRows } from "./migration-rows.ts";

// The dashboard migration adds columns that summarise existing rows; a store recorded before it
// must come out with them filled in. Rows are written with the previous schema's SQL.
const MIGRATION = "dashboard_queries";

const ROWS = `
INSERT INTO "Run" ("id", "name", "preset", "config", "seed") VALUES (1, 'old', 'quick', '{}', 1), (2, 'bare', 'quick', '{}', 1);
INSERT INTO "Epoch" ("runId", "epoch", "valLoss", "seconds") VALUES (1, 1, 0.5, 1), (1, 2, 0.3, 1), (1, 3, NULL, 1);
INSERT INTO "Evaluation" ("runId", "split", "count", "accuracy", "classNames", "confusionMatrix", "report", "roc", "reliability", "sensitivity", "specificity")
  VALUES (1, 'test', 4, 0.75, '[]', '[]', '{}', '[]', '{}', '[]', '[]'), (1, 'val', 4, 0.5, '[]', '[]', '{}', '[]', '{}', '[]', '[]');
INSERT INTO "Image" ("id", "sha256", "location", "format", "width", "height", "bytes", "label")
  VALUES (1, 'a', '/a.png', 'png', 1, 1, 1, 'COVID'), (2, 'b', '/b.png', 'png', 1, 1, 1, NULL), (3, 'c', '/c.png', 'png', 1, 1, 1, 'Normal');
INSERT INTO "Prediction" ("id", "runId", "imageId", "probabilities", "predictedLabel") VALUES
  (1, 1, 1, '{"COVID": 0.7, "Normal": 0.2, "Viral Pneumonia": 0.1}', 'COVID'),
  (2, 1, 2, '{"COVID": 0.1, "Normal": 0.3, "Viral Pneumonia": 0.6}', 'Viral Pneumonia'),
  (3, 1, 3, '{"COVID": 0.15, "Normal": 0.25, "Viral Pneumonia": 0.6}', 'Viral Pneumonia');
`;

const READ_RUNS = `SELECT "id", "testAccuracy", "bestValLoss", "progress" FROM "Run" ORDER BY "id"`;
const READ_PREDICTIONS = `SELECT "id", "confidence", "trueLabel", "correct" FROM "Prediction" ORDER BY "id"`;

function expectBackfilled(runs: Record<string, unknown>[], predictions: Record<string, unknown>[]) {
  expect(runs).toEqual([
    { id: 1, testAccuracy: 0.75, bestValLoss: 0.3, progress: null },
    { id: 2, testAccuracy: null, bestValLoss: null, progress: null },
  ]);
  expect(predictions.map((p) => ({ ...p, correct: p.correct === null ? null : Boolean(p.correct) }))).toEqual(
    [
      { id: 1, confidence: 0.7, trueLabel: "COVID", correct: true },
      { id: 2, confidence: 0.6, trueLabel: null, correct: null },
      { id: 3, confidence: 0.6, trueLabel: "Normal", correct: false },
    ],
  );
}

describe(`migration ${MIGRATION}`, () => {
  it("fills the new columns of rows recorded before it on SQLite", async () => {
    const [runs, predictions] = await migrateRows("sqlite", MIGRATION, ROWS, [READ_RUNS, READ_PREDICTIONS]);
    expectBackfilled(runs!, predictions!);
  });

  it.skipIf(!postgresServer)("fills the new columns of rows recorded before it on PostgreSQL", async () => {
    const [runs, predictions] = await migrateRows("postgresql", MIGRATION, ROWS, [
      READ_RUNS,
      READ_PREDICTIONS,
    ]);
    expectBackfilled(runs!, predictions!);
  });
});
