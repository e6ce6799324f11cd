-- AlterTable
ALTER TABLE "Prediction" ADD COLUMN     "urgency" DOUBLE PRECISION;

-- Backfill: urgency = the highest probability of a class not named Normal (any case); without a
-- Normal class, the highest probability (validators/src/reviews.ts urgencyOf)
UPDATE "Prediction" p SET "urgency" = COALESCE(
    CASE WHEN EXISTS (SELECT 1 FROM jsonb_each_text(p."probabilities") e WHERE lower(e."key") = 'normal')
        THEN (SELECT MAX(e."value"::DOUBLE PRECISION) FROM jsonb_each_text(p."probabilities") e WHERE lower(e."key") <> 'normal')
        ELSE (SELECT MAX(e."value"::DOUBLE PRECISION) FROM jsonb_each_text(p."probabilities") e)
    END, 0);
ALTER TABLE "Prediction" ALTER COLUMN "urgency" SET NOT NULL;

-- CreateTable
CREATE TABLE "Review" (
    "id" SERIAL NOT NULL,
    "imageId" INTEGER NOT NULL,
    "reviewerId" TEXT,
    "label" TEXT NOT NULL,
    "comment" TEXT,
    "predictionId" INTEGER,
    "runId" INTEGER,
    "predictedLabel" TEXT NOT NULL,
    "confidence" DOUBLE PRECISION NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Review_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Prediction_runId_urgency_idx" ON "Prediction"("runId", "urgency");

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

-- AddForeignKey
ALTER TABLE "Review" ADD CONSTRAINT "Review_imageId_fkey" FOREIGN KEY ("imageId") REFERENCES "Image"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Review" ADD CONSTRAINT "Review_reviewerId_fkey" FOREIGN KEY ("reviewerId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Review" ADD CONSTRAINT "Review_predictionId_fkey" FOREIGN KEY ("predictionId") REFERENCES "Prediction"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Review" ADD CONSTRAINT "Review_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE SET NULL ON UPDATE CASCADE;
