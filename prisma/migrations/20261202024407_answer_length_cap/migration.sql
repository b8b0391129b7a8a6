-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "truncated" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "sessions" ADD COLUMN     "max_answer_tokens" INTEGER;
