-- Prisma's diff drops and re-adds each column, losing its data; edited by hand to convert
-- the text in place (a value outside the enum fails the migration, and nothing is lost).
-- CreateEnum
CREATE TYPE "session_status" AS ENUM ('active', 'closed');

-- CreateEnum
CREATE TYPE "turn_policy" AS ENUM ('fifo', 'round_robin', 'hand_raise', 'merge', 'moderated', 'votes');

-- CreateEnum
CREATE TYPE "responds_to" AS ENUM ('all', 'mentions');

-- CreateEnum
CREATE TYPE "member_role" AS ENUM ('moderator', 'contributor', 'observer');

-- CreateEnum
CREATE TYPE "message_role" AS ENUM ('user', 'assistant', 'system');

-- CreateEnum
CREATE TYPE "message_status" AS ENUM ('complete', 'cancelled', 'failed');

-- CreateEnum
CREATE TYPE "message_visibility" AS ENUM ('all', 'staff', 'held');

-- CreateEnum
CREATE TYPE "agent_state" AS ENUM ('none', 'pending', 'answering', 'answered', 'awaiting_approval', 'dismissed', 'skipped', 'failed', 'closed', 'withdrawn', 'withdrawn_held', 'safety_hold');

-- CreateEnum
CREATE TYPE "message_safety" AS ENUM ('flagged', 'held', 'not_checked');

-- CreateEnum
CREATE TYPE "event_visibility" AS ENUM ('all', 'staff', 'moderators');

-- CreateEnum
CREATE TYPE "flag_source" AS ENUM ('message', 'answer');

-- CreateEnum
CREATE TYPE "safety_severity" AS ENUM ('low', 'medium', 'high');

-- CreateEnum
CREATE TYPE "flag_status" AS ENUM ('open', 'released', 'hidden', 'dismissed');

-- AlterTable
ALTER TABLE "members" ALTER COLUMN "role" SET DATA TYPE "member_role" USING ("role"::"member_role");

-- AlterTable
ALTER TABLE "messages" ALTER COLUMN "role" SET DATA TYPE "message_role" USING ("role"::"message_role"),
  ALTER COLUMN "visibility" DROP DEFAULT,
  ALTER COLUMN "visibility" SET DATA TYPE "message_visibility" USING ("visibility"::"message_visibility"),
  ALTER COLUMN "visibility" SET DEFAULT 'all',
  ALTER COLUMN "status" DROP DEFAULT,
  ALTER COLUMN "status" SET DATA TYPE "message_status" USING ("status"::"message_status"),
  ALTER COLUMN "status" SET DEFAULT 'complete',
  ALTER COLUMN "agent_state" DROP DEFAULT,
  ALTER COLUMN "agent_state" SET DATA TYPE "agent_state" USING ("agent_state"::"agent_state"),
  ALTER COLUMN "agent_state" SET DEFAULT 'none',
  ALTER COLUMN "author_role" SET DATA TYPE "member_role" USING ("author_role"::"member_role"),
  ALTER COLUMN "held_agent_state" SET DATA TYPE "agent_state" USING ("held_agent_state"::"agent_state"),
  ALTER COLUMN "safety" SET DATA TYPE "message_safety" USING ("safety"::"message_safety");

-- AlterTable
ALTER TABLE "safety_flags" ALTER COLUMN "source" SET DATA TYPE "flag_source" USING ("source"::"flag_source"),
  ALTER COLUMN "severity" SET DATA TYPE "safety_severity" USING ("severity"::"safety_severity"),
  ALTER COLUMN "action" SET DATA TYPE "message_safety" USING ("action"::"message_safety"),
  ALTER COLUMN "status" DROP DEFAULT,
  ALTER COLUMN "status" SET DATA TYPE "flag_status" USING ("status"::"flag_status"),
  ALTER COLUMN "status" SET DEFAULT 'open';

-- AlterTable
ALTER TABLE "session_events" ALTER COLUMN "visibility" DROP DEFAULT,
  ALTER COLUMN "visibility" SET DATA TYPE "event_visibility" USING ("visibility"::"event_visibility"),
  ALTER COLUMN "visibility" SET DEFAULT 'all';

-- AlterTable
ALTER TABLE "sessions" ALTER COLUMN "status" DROP DEFAULT,
  ALTER COLUMN "status" SET DATA TYPE "session_status" USING ("status"::"session_status"),
  ALTER COLUMN "status" SET DEFAULT 'active',
  ALTER COLUMN "turn_policy" DROP DEFAULT,
  ALTER COLUMN "turn_policy" SET DATA TYPE "turn_policy" USING ("turn_policy"::"turn_policy"),
  ALTER COLUMN "turn_policy" SET DEFAULT 'round_robin',
  ALTER COLUMN "agent_responds_to" DROP DEFAULT,
  ALTER COLUMN "agent_responds_to" SET DATA TYPE "responds_to" USING ("agent_responds_to"::"responds_to"),
  ALTER COLUMN "agent_responds_to" SET DEFAULT 'all',
  ALTER COLUMN "guest_role" DROP DEFAULT,
  ALTER COLUMN "guest_role" SET DATA TYPE "member_role" USING ("guest_role"::"member_role"),
  ALTER COLUMN "guest_role" SET DEFAULT 'contributor';
