ALTER TABLE "social_integrations" ADD COLUMN "expiry_warned_for" timestamp with time zone;
