-- CreateTable
CREATE TABLE "DatasetVersion" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "projectId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "recipe" JSONB NOT NULL,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DatasetVersion_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "DatasetVersion_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "DatasetEntry" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "datasetVersionId" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "patient" TEXT,
    "source" TEXT NOT NULL,
    "location" TEXT NOT NULL,
    CONSTRAINT "DatasetEntry_datasetVersionId_fkey" FOREIGN KEY ("datasetVersionId") REFERENCES "DatasetVersion" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Run" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "projectId" INTEGER,
    "name" TEXT NOT NULL,
    "preset" TEXT NOT NULL,
    "config" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "statusMessage" TEXT,
    "backend" TEXT,
    "seed" INTEGER NOT NULL,
    "datasetFingerprint" TEXT,
    "codeVersion" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "timings" JSONB,
    "modelLocation" TEXT,
    "modelBytes" BIGINT,
    "testAccuracy" REAL,
    "bestValLoss" REAL,
    "progress" JSONB,
    "createdById" TEXT,
    "datasetVersionId" INTEGER,
    CONSTRAINT "Run_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Run_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Run_datasetVersionId_fkey" FOREIGN KEY ("datasetVersionId") REFERENCES "DatasetVersion" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Run" ("backend", "bestValLoss", "codeVersion", "config", "createdAt", "createdById", "datasetFingerprint", "finishedAt", "id", "modelBytes", "modelLocation", "name", "preset", "progress", "projectId", "seed", "startedAt", "status", "statusMessage", "testAccuracy", "timings") SELECT "backend", "bestValLoss", "codeVersion", "config", "createdAt", "createdById", "datasetFingerprint", "finishedAt", "id", "modelBytes", "modelLocation", "name", "preset", "progress", "projectId", "seed", "startedAt", "status", "statusMessage", "testAccuracy", "timings" FROM "Run";
DROP TABLE "Run";
ALTER TABLE "new_Run" RENAME TO "Run";
CREATE INDEX "Run_status_idx" ON "Run"("status");
CREATE INDEX "Run_projectId_idx" ON "Run"("projectId");
CREATE INDEX "Run_createdAt_idx" ON "Run"("createdAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "DatasetVersion_projectId_name_fingerprint_idx" ON "DatasetVersion"("projectId", "name", "fingerprint");

-- CreateIndex
CREATE UNIQUE INDEX "DatasetVersion_projectId_name_version_key" ON "DatasetVersion"("projectId", "name", "version");

-- CreateIndex
CREATE UNIQUE INDEX "DatasetEntry_datasetVersionId_sha256_key" ON "DatasetEntry"("datasetVersionId", "sha256");
