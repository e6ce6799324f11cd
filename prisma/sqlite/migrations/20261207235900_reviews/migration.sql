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
    "location" TEXT,
    "urgency" REAL NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Prediction_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Prediction_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
-- Backfill: urgency = the highest probability of a class not named Normal (any case); without a
-- Normal class, the highest probability (validators/src/reviews.ts urgencyOf)
INSERT INTO "new_Prediction" ("confidence", "correct", "createdAt", "id", "imageId", "location", "predictedLabel", "probabilities", "runId", "trueLabel", "urgency")
SELECT p."confidence", p."correct", p."createdAt", p."id", p."imageId", p."location", p."predictedLabel", p."probabilities", p."runId", p."trueLabel",
    COALESCE(
        CASE WHEN EXISTS (SELECT 1 FROM json_each(p."probabilities") e WHERE lower(e."key") = 'normal')
            THEN (SELECT MAX(e."value") FROM json_each(p."probabilities") e WHERE lower(e."key") <> 'normal')
            ELSE (SELECT MAX(e."value") FROM json_each(p."probabilities") e)
        END, 0)
FROM "Prediction" p;
DROP TABLE "Prediction";
ALTER TABLE "new_Prediction" RENAME TO "Prediction";
CREATE INDEX "Prediction_imageId_idx" ON "Prediction"("imageId");
CREATE INDEX "Prediction_runId_confidence_idx" ON "Prediction"("runId", "confidence");
CREATE INDEX "Prediction_runId_correct_confidence_idx" ON "Prediction"("runId", "correct", "confidence");
CREATE INDEX "Prediction_runId_trueLabel_predictedLabel_idx" ON "Prediction"("runId", "trueLabel", "predictedLabel");
CREATE INDEX "Prediction_runId_urgency_idx" ON "Prediction"("runId", "urgency");
CREATE UNIQUE INDEX "Prediction_runId_imageId_key" ON "Prediction"("runId", "imageId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateTable
CREATE TABLE "Review" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "imageId" INTEGER NOT NULL,
    "reviewerId" TEXT,
    "label" TEXT NOT NULL,
    "comment" TEXT,
    "predictionId" INTEGER,
    "runId" INTEGER,
    "predictedLabel" TEXT NOT NULL,
    "confidence" REAL NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Review_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Review_reviewerId_fkey" FOREIGN KEY ("reviewerId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Review_predictionId_fkey" FOREIGN KEY ("predictionId") REFERENCES "Prediction" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Review_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Review_reviewerId_imageId_idx" ON "Review"("reviewerId", "imageId");

-- CreateIndex
CREATE INDEX "Review_predictionId_idx" ON "Review"("predictionId");

-- CreateIndex
CREATE INDEX "Review_runId_idx" ON "Review"("runId");

-- CreateIndex
CREATE INDEX "Review_updatedAt_idx" ON "Review"("updatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Review_imageId_reviewerId_key" ON "Review"("imageId", "reviewerId");
