-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "datasetVersionId" INTEGER;

-- CreateTable
CREATE TABLE "DatasetVersion" (
    "id" SERIAL NOT NULL,
    "projectId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "recipe" JSONB NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DatasetVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DatasetEntry" (
    "id" SERIAL NOT NULL,
    "datasetVersionId" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "patient" TEXT,
    "source" TEXT NOT NULL,
    "location" TEXT NOT NULL,

    CONSTRAINT "DatasetEntry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "DatasetVersion_projectId_name_fingerprint_idx" ON "DatasetVersion"("projectId", "name", "fingerprint");

-- CreateIndex
CREATE UNIQUE INDEX "DatasetVersion_projectId_name_version_key" ON "DatasetVersion"("projectId", "name", "version");

-- CreateIndex
CREATE UNIQUE INDEX "DatasetEntry_datasetVersionId_sha256_key" ON "DatasetEntry"("datasetVersionId", "sha256");

-- AddForeignKey
ALTER TABLE "Run" ADD CONSTRAINT "Run_datasetVersionId_fkey" FOREIGN KEY ("datasetVersionId") REFERENCES "DatasetVersion"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DatasetVersion" ADD CONSTRAINT "DatasetVersion_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DatasetVersion" ADD CONSTRAINT "DatasetVersion_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DatasetEntry" ADD CONSTRAINT "DatasetEntry_datasetVersionId_fkey" FOREIGN KEY ("datasetVersionId") REFERENCES "DatasetVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;
