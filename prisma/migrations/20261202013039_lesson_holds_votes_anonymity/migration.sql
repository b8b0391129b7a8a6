-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "anonymous" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "dismiss_reason" TEXT,
ADD COLUMN     "votes" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "session_events" ADD COLUMN     "visible_to" UUID;

-- AlterTable
ALTER TABLE "sessions" ADD COLUMN     "anonymous_questions" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "message_votes" (
    "message_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "message_votes_pkey" PRIMARY KEY ("message_id","user_id")
);

-- AddForeignKey
ALTER TABLE "message_votes" ADD CONSTRAINT "message_votes_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;
