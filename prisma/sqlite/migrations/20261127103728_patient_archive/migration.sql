-- CreateTable
CREATE TABLE "Patient" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "patientId" TEXT NOT NULL,
    "issuer" TEXT NOT NULL DEFAULT '',
    "name" TEXT,
    "birthDate" TEXT,
    "sex" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Study" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "patientRef" INTEGER NOT NULL,
    "studyInstanceUid" TEXT NOT NULL,
    "studyDate" DATETIME,
    "accessionNumber" TEXT,
    "description" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Study_patientRef_fkey" FOREIGN KEY ("patientRef") REFERENCES "Patient" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Image" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "sha256" TEXT NOT NULL,
    "location" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "bytes" INTEGER NOT NULL,
    "label" TEXT,
    "studyId" INTEGER,
    "sopInstanceUid" TEXT,
    "viewPosition" TEXT,
    "sourceFormat" TEXT,
    "sourceLocation" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Image_studyId_fkey" FOREIGN KEY ("studyId") REFERENCES "Study" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Image" ("bytes", "createdAt", "format", "height", "id", "label", "location", "sha256", "width") SELECT "bytes", "createdAt", "format", "height", "id", "label", "location", "sha256", "width" FROM "Image";
DROP TABLE "Image";
ALTER TABLE "new_Image" RENAME TO "Image";
CREATE UNIQUE INDEX "Image_sha256_key" ON "Image"("sha256");
CREATE UNIQUE INDEX "Image_sopInstanceUid_key" ON "Image"("sopInstanceUid");
CREATE INDEX "Image_studyId_idx" ON "Image"("studyId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "Patient_patientId_issuer_key" ON "Patient"("patientId", "issuer");

-- CreateIndex
CREATE UNIQUE INDEX "Study_studyInstanceUid_key" ON "Study"("studyInstanceUid");

-- CreateIndex
CREATE INDEX "Study_patientRef_studyDate_idx" ON "Study"("patientRef", "studyDate");
