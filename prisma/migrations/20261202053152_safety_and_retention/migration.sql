-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "held_agent_state" TEXT,
ADD COLUMN     "safety" TEXT;

-- AlterTable
ALTER TABLE "sessions" ADD COLUMN     "minors" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "redact_personal_data" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "retention_days" INTEGER,
ADD COLUMN     "safety" JSONB NOT NULL DEFAULT '{}';

-- CreateTable
CREATE TABLE "safety_flags" (
    "id" UUID NOT NULL,
    "session_id" UUID NOT NULL,
    "message_id" UUID NOT NULL,
    "author_id" UUID,
    "source" TEXT NOT NULL,
    "categories" JSONB NOT NULL,
    "severity" TEXT,
    "action" TEXT NOT NULL,
    "classifier" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "resolved_by" UUID,
    "resolved_at" TIMESTAMPTZ(3),
    "note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "safety_flags_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "purged_sessions" (
    "session_id" UUID NOT NULL,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "closed_at" TIMESTAMPTZ(3),
    "purged_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "removed" JSONB NOT NULL,

    CONSTRAINT "purged_sessions_pkey" PRIMARY KEY ("session_id")
);

-- CreateIndex
CREATE INDEX "safety_flags_session_id_created_at_idx" ON "safety_flags"("session_id", "created_at");

-- CreateIndex
CREATE INDEX "safety_flags_status_created_at_idx" ON "safety_flags"("status", "created_at");

-- AddForeignKey
ALTER TABLE "safety_flags" ADD CONSTRAINT "safety_flags_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
