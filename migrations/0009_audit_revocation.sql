-- What a deleted integration's token became at its platform (revoked, failed, not_offered, kept_shared).
ALTER TABLE "audit_log" ADD COLUMN "revocation" varchar(16);
