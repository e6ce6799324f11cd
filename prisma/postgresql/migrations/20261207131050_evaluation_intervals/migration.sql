-- AlterTable
ALTER TABLE "Evaluation" ADD COLUMN     "intervals" JSONB;
