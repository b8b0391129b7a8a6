-- AlterTable
ALTER TABLE "members" ADD COLUMN     "waiting" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "sessions" ADD COLUMN     "waiting_room" BOOLEAN NOT NULL DEFAULT false;
