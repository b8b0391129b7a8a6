-- AlterTable
ALTER TABLE "sessions" ADD COLUMN     "agent_lease_generation" INTEGER NOT NULL DEFAULT 0;
