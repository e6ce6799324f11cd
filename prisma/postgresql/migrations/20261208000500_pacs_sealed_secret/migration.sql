-- AlterTable
ALTER TABLE "PacsSource" ADD COLUMN "secretSealed" TEXT;
