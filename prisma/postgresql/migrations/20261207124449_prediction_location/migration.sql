-- AlterTable
ALTER TABLE "Prediction" ADD COLUMN     "location" TEXT;
