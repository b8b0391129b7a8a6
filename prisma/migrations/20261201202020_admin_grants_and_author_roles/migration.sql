-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "author_role" TEXT;

-- AlterTable
ALTER TABLE "users" DROP COLUMN "is_admin";

-- CreateTable
CREATE TABLE "admin_grants" (
    "user_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "granted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "admin_grants_pkey" PRIMARY KEY ("user_id")
);

-- AddForeignKey
ALTER TABLE "admin_grants" ADD CONSTRAINT "admin_grants_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
