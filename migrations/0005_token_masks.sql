ALTER TABLE "social_integrations" ADD COLUMN "access_token_mask" varchar(8);--> statement-breakpoint
ALTER TABLE "social_integrations" ADD COLUMN "refresh_token_mask" varchar(8);