CREATE INDEX "meta_received_messages_received_at_idx" ON "meta_received_messages" USING btree ("received_at");
