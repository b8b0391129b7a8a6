-- CreateTable
CREATE TABLE "lti_platforms" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "client_id" TEXT NOT NULL,
    "deployment_ids" TEXT[],
    "auth_login_url" TEXT NOT NULL,
    "jwks_url" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "lti_platforms_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "lti_launch_flows" (
    "state" TEXT NOT NULL,
    "platform_id" UUID NOT NULL,
    "nonce" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "lti_launch_flows_pkey" PRIMARY KEY ("state")
);

-- CreateTable
CREATE TABLE "lti_links" (
    "platform_id" UUID NOT NULL,
    "deployment_id" TEXT NOT NULL,
    "resource_link_id" TEXT NOT NULL,
    "context_id" TEXT,
    "session_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "lti_links_pkey" PRIMARY KEY ("platform_id","deployment_id","resource_link_id")
);

-- CreateTable
CREATE TABLE "lti_tool_keys" (
    "kid" TEXT NOT NULL,
    "private_jwk" JSONB NOT NULL,
    "public_jwk" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "lti_tool_keys_pkey" PRIMARY KEY ("kid")
);

-- CreateIndex
CREATE UNIQUE INDEX "lti_platforms_issuer_client_id_key" ON "lti_platforms"("issuer", "client_id");

-- CreateIndex
CREATE INDEX "lti_launch_flows_created_at_idx" ON "lti_launch_flows"("created_at");

-- CreateIndex
CREATE INDEX "lti_links_session_id_idx" ON "lti_links"("session_id");

-- AddForeignKey
ALTER TABLE "lti_links" ADD CONSTRAINT "lti_links_platform_id_fkey" FOREIGN KEY ("platform_id") REFERENCES "lti_platforms"("id") ON DELETE CASCADE ON UPDATE CASCADE;
