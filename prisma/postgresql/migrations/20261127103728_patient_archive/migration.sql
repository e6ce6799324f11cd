-- AlterTable
ALTER TABLE "Image" ADD COLUMN     "sopInstanceUid" TEXT,
ADD COLUMN     "sourceFormat" TEXT,
ADD COLUMN     "sourceLocation" TEXT,
ADD COLUMN     "studyId" INTEGER,
ADD COLUMN     "viewPosition" TEXT;

-- CreateTable
CREATE TABLE "Patient" (
    "id" SERIAL NOT NULL,
    "patientId" TEXT NOT NULL,
    "issuer" TEXT NOT NULL DEFAULT '',
    "name" TEXT,
    "birthDate" TEXT,
    "sex" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Patient_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Study" (
    "id" SERIAL NOT NULL,
    "patientRef" INTEGER NOT NULL,
    "studyInstanceUid" TEXT NOT NULL,
    "studyDate" TIMESTAMP(3),
    "accessionNumber" TEXT,
    "description" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Study_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Patient_patientId_issuer_key" ON "Patient"("patientId", "issuer");

-- CreateIndex
CREATE UNIQUE INDEX "Study_studyInstanceUid_key" ON "Study"("studyInstanceUid");

-- CreateIndex
CREATE INDEX "Study_patientRef_studyDate_idx" ON "Study"("patientRef", "studyDate");

-- CreateIndex
CREATE UNIQUE INDEX "Image_sopInstanceUid_key" ON "Image"("sopInstanceUid");

-- CreateIndex
CREATE INDEX "Image_studyId_idx" ON "Image"("studyId");

-- AddForeignKey
ALTER TABLE "Study" ADD CONSTRAINT "Study_patientRef_fkey" FOREIGN KEY ("patientRef") REFERENCES "Patient"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Image" ADD CONSTRAINT "Image_studyId_fkey" FOREIGN KEY ("studyId") REFERENCES "Study"("id") ON DELETE SET NULL ON UPDATE CASCADE;
