-- IF NOT EXISTS: databases made by the earlier Python service already have this table.
CREATE TABLE IF NOT EXISTS "social_integrations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" varchar(255) NOT NULL,
	"platform" varchar(32) NOT NULL,
	"connection_status" varchar(32) DEFAULT 'connected' NOT NULL,
	"status_detail" text,
	"scopes_granted" jsonb DEFAULT '[]'::jsonb,
	"account_id" varchar(255),
	"page_id" varchar(255),
	"business_id" varchar(255),
	"access_token" text,
	"refresh_token" text,
	"token_expires_at" timestamp with time zone,
	"last_verified_at" timestamp with time zone,
	"email_address" varchar(320),
	"smtp_host" varchar(255),
	"smtp_port" integer,
	"smtp_username" varchar(320),
	"smtp_password" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb
);
--> statement-breakpoint
ALTER TABLE "social_integrations" ADD COLUMN IF NOT EXISTS "status_detail" text;--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "social_integrations_user_platform_key" ON "social_integrations" USING btree ("user_id","platform");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "social_integrations_platform_idx" ON "social_integrations" USING btree ("platform");