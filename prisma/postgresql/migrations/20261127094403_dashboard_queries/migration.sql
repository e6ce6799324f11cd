-- AlterTable
ALTER TABLE "Prediction" ADD COLUMN     "confidence" DOUBLE PRECISION,
ADD COLUMN     "correct" BOOLEAN,
ADD COLUMN     "trueLabel" TEXT;

-- Backfill: confidence = probability of the predicted label; trueLabel/correct from the image's label
UPDATE "Prediction" p SET
    "confidence" = COALESCE((p."probabilities" ->> p."predictedLabel")::DOUBLE PRECISION, 0),
    "trueLabel" = i."label",
    "correct" = CASE WHEN i."label" IS NULL THEN NULL ELSE i."label" = p."predictedLabel" END
FROM "Image" i WHERE i."id" = p."imageId";
ALTER TABLE "Prediction" ALTER COLUMN "confidence" SET NOT NULL;

-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "bestValLoss" DOUBLE PRECISION,
ADD COLUMN     "progress" JSONB,
ADD COLUMN     "testAccuracy" DOUBLE PRECISION;

-- Backfill the run summary columns from the rows they summarise
UPDATE "Run" SET
    "testAccuracy" = (SELECT e."accuracy" FROM "Evaluation" e WHERE e."runId" = "Run"."id" AND e."split" = 'test'),
    "bestValLoss" = (SELECT MIN(ep."valLoss") FROM "Epoch" ep WHERE ep."runId" = "Run"."id");

-- CreateIndex
CREATE INDEX "Prediction_runId_confidence_idx" ON "Prediction"("runId", "confidence");

-- CreateIndex
CREATE INDEX "Prediction_runId_correct_confidence_idx" ON "Prediction"("runId", "correct", "confidence");

-- CreateIndex
CREATE INDEX "Prediction_runId_trueLabel_predictedLabel_idx" ON "Prediction"("runId", "trueLabel", "predictedLabel");
