ALTER TABLE "social_integrations" ADD COLUMN "login_type" varchar(16);--> statement-breakpoint
UPDATE "social_integrations" SET "login_type" = 'facebook' WHERE "platform" IN ('instagram', 'facebook');--> statement-breakpoint
ALTER TABLE "oauth_states" ADD COLUMN "login_type" varchar(16);
