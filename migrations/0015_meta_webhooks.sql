ALTER TABLE "social_integrations" ADD COLUMN "meta_user_id" varchar(64);--> statement-breakpoint
CREATE INDEX "social_integrations_meta_user_id_idx" ON "social_integrations" USING btree ("meta_user_id") WHERE "meta_user_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "social_integrations_page_id_idx" ON "social_integrations" USING btree ("page_id") WHERE "page_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "social_integrations_account_id_idx" ON "social_integrations" USING btree ("account_id") WHERE "account_id" IS NOT NULL;--> statement-breakpoint
CREATE TABLE "meta_received_messages" (
	"user_id" varchar(255) NOT NULL,
	"platform" varchar(32) NOT NULL,
	"mid" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	CONSTRAINT "meta_received_messages_user_id_platform_mid_pk" PRIMARY KEY("user_id","platform","mid")
);
--> statement-breakpoint
CREATE TABLE "meta_data_deletions" (
	"confirmation_code" varchar(64) PRIMARY KEY NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"platforms" jsonb NOT NULL
);
