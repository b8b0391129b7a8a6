-- AlterTable
ALTER TABLE "sessions" ADD COLUMN     "agent_language" TEXT;
