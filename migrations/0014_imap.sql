ALTER TABLE "social_integrations" ADD COLUMN "imap_host" varchar(255);
--> statement-breakpoint
ALTER TABLE "social_integrations" ADD COLUMN "imap_port" integer;
--> statement-breakpoint
ALTER TABLE "social_integrations" ADD COLUMN "imap_username" varchar(320);
--> statement-breakpoint
ALTER TABLE "social_integrations" ADD COLUMN "imap_password" text;
--> statement-breakpoint
ALTER TABLE "social_integrations" ADD COLUMN "imap_uid_validity" bigint;
--> statement-breakpoint
ALTER TABLE "social_integrations" ADD COLUMN "imap_last_uid" bigint;
--> statement-breakpoint
ALTER TABLE "social_integrations" ADD COLUMN "imap_next_poll_at" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "social_integrations" ADD COLUMN "imap_lease_until" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "social_integrations" ADD COLUMN "imap_lease_token" uuid;
--> statement-breakpoint
CREATE INDEX "social_integrations_imap_next_poll_at_idx" ON "social_integrations" USING btree ("imap_next_poll_at") WHERE "imap_next_poll_at" is not null;
--> statement-breakpoint
CREATE INDEX "outreach_messages_user_platform_message_id_idx" ON "outreach_messages" USING btree ("user_id","platform_message_id") WHERE "platform_message_id" is not null;
