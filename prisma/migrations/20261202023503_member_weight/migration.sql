-- AlterTable
ALTER TABLE "members" ADD COLUMN     "weight" INTEGER NOT NULL DEFAULT 1;
