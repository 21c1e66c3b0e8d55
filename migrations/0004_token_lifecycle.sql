ALTER TABLE "social_integrations" ADD COLUMN "token_issued_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "social_integrations" ADD COLUMN "next_check_at" timestamp with time zone DEFAULT now();--> statement-breakpoint
ALTER TABLE "social_integrations" ADD COLUMN "lease_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "social_integrations" ADD COLUMN "lease_token" uuid;--> statement-breakpoint
ALTER TABLE "social_integrations" ADD COLUMN "refresh_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "social_integrations_next_check_at_idx" ON "social_integrations" USING btree ("next_check_at") WHERE "social_integrations"."next_check_at" is not null;