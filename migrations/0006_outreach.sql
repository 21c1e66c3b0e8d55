CREATE TABLE "email_daily_sends" (
	"user_id" varchar(255) NOT NULL,
	"day" date NOT NULL,
	"sent" integer NOT NULL,
	CONSTRAINT "email_daily_sends_user_id_day_pk" PRIMARY KEY("user_id","day")
);
--> statement-breakpoint
CREATE TABLE "outreach_messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "outreach_messages_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"user_id" varchar(255) NOT NULL,
	"platform" varchar(32) NOT NULL,
	"recipient" varchar(320) NOT NULL,
	"status" varchar(16) NOT NULL,
	"platform_message_id" text,
	"error_code" varchar(64),
	"idempotency_key" varchar(255),
	"request_hash" varchar(64) NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "outreach_suppressions" (
	"user_id" varchar(255) NOT NULL,
	"address" varchar(320) NOT NULL,
	"reason" varchar(16) NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "outreach_suppressions_user_id_address_pk" PRIMARY KEY("user_id","address")
);
--> statement-breakpoint
CREATE TABLE "outreach_windows" (
	"user_id" varchar(255) NOT NULL,
	"platform" varchar(32) NOT NULL,
	"recipient" varchar(64) NOT NULL,
	"last_inbound_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"human_agent_closed_at" timestamp with time zone,
	CONSTRAINT "outreach_windows_user_id_platform_recipient_pk" PRIMARY KEY("user_id","platform","recipient")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "outreach_messages_idempotency_key" ON "outreach_messages" USING btree ("user_id","idempotency_key") WHERE "outreach_messages"."idempotency_key" is not null and "outreach_messages"."status" <> 'failed';--> statement-breakpoint
CREATE INDEX "outreach_messages_user_seq_idx" ON "outreach_messages" USING btree ("user_id","seq");