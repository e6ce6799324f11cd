-- AlterTable
ALTER TABLE "Run" ADD COLUMN "bestValLoss" REAL;
ALTER TABLE "Run" ADD COLUMN "progress" JSONB;
ALTER TABLE "Run" ADD COLUMN "testAccuracy" REAL;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Prediction" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "runId" INTEGER NOT NULL,
    "imageId" INTEGER NOT NULL,
    "probabilities" JSONB NOT NULL,
    "predictedLabel" TEXT NOT NULL,
    "confidence" REAL NOT NULL,
    "trueLabel" TEXT,
    "correct" BOOLEAN,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Prediction_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Prediction_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
-- Backfill: confidence = probability of the predicted label; trueLabel/correct from the image's label
INSERT INTO "new_Prediction" ("createdAt", "id", "imageId", "predictedLabel", "probabilities", "runId", "confidence", "trueLabel", "correct")
SELECT p."createdAt", p."id", p."imageId", p."predictedLabel", p."probabilities", p."runId",
    COALESCE(json_extract(p."probabilities", '$."' || p."predictedLabel" || '"'), 0),
    i."label",
    CASE WHEN i."label" IS NULL THEN NULL ELSE i."label" = p."predictedLabel" END
FROM "Prediction" p LEFT JOIN "Image" i ON i."id" = p."imageId";
DROP TABLE "Prediction";
ALTER TABLE "new_Prediction" RENAME TO "Prediction";
CREATE INDEX "Prediction_imageId_idx" ON "Prediction"("imageId");
CREATE INDEX "Prediction_runId_confidence_idx" ON "Prediction"("runId", "confidence");
CREATE INDEX "Prediction_runId_correct_confidence_idx" ON "Prediction"("runId", "correct", "confidence");
CREATE INDEX "Prediction_runId_trueLabel_predictedLabel_idx" ON "Prediction"("runId", "trueLabel", "predictedLabel");
CREATE UNIQUE INDEX "Prediction_runId_imageId_key" ON "Prediction"("runId", "imageId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- Backfill the run summary columns from the rows they summarise
UPDATE "Run" SET
    "testAccuracy" = (SELECT e."accuracy" FROM "Evaluation" e WHERE e."runId" = "Run"."id" AND e."split" = 'test'),
    "bestValLoss" = (SELECT MIN(ep."valLoss") FROM "Epoch" ep WHERE ep."runId" = "Run"."id");
