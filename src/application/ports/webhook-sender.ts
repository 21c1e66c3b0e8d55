import type { AttemptOutcome } from '../../domain/webhook-retry.js';

/** Makes one signed attempt to deliver one event to one endpoint. */
export interface WebhookSender {
  send(endpoint: string, webhookId: string, body: string): Promise<AttemptOutcome>;
}
