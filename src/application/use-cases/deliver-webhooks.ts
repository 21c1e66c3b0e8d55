import { type DeliveryStatus, decideAfterAttempt } from '../../domain/webhook-retry.js';
import type { Clock } from '../ports/clock.js';
import type { ClaimedDelivery, DeliveryOutcome, WebhookOutbox } from '../ports/webhook-outbox.js';
import type { WebhookSender } from '../ports/webhook-sender.js';

export interface DeliverySettings {
  readonly endpoints: readonly string[];
  readonly retrySeconds: readonly number[];
  readonly timeoutMs: number;
  /** Deliveries claimed (and attempted concurrently) at once. */
  readonly batchSize: number;
}

export interface DeliveryReport {
  readonly delivered: number;
  readonly retrying: number;
  readonly gone: number;
  readonly failed: number;
}

/** One settled attempt, as the metrics count it. */
export interface SettledAttempt {
  /** What the attempt left: `pending` is a failure that will be retried. */
  readonly status: DeliveryStatus;
  /** From the event's change to when its claim's outcomes were written. */
  readonly lagMs: number;
}

export interface DeliverWebhooksPorts {
  readonly outbox: WebhookOutbox;
  readonly sender: WebhookSender;
  readonly clock: Clock;
  readonly random: () => number;
  readonly settings: DeliverySettings;
  /** Told of every attempt whose outcome was written. */
  readonly onSettled?: (attempt: SettledAttempt) => void;
}

export type DeliverWebhooks = (options?: { signal?: AbortSignal | undefined }) => Promise<DeliveryReport>;

/**
 * One pass of delivery: queues new events for every endpoint, then claims and attempts due deliveries
 * batch after batch until none is due (or `signal` aborts). The lease outlasts an attempt's timeout
 * twice over, so no other instance takes a delivery while it is being attempted; one whose instance died
 * is attempted again once its lease ends (at least once: receivers deduplicate by webhook-id).
 */
export function deliverWebhooks(ports: DeliverWebhooksPorts): DeliverWebhooks {
  const { outbox, sender, clock, settings } = ports;
  const leaseMs = 2 * settings.timeoutMs + 5_000;
  const attempt = async (delivery: ClaimedDelivery): Promise<DeliveryOutcome> => {
    const outcome = await sender.send(delivery.endpoint, delivery.eventId, delivery.body);
    const decision = decideAfterAttempt(
      outcome,
      delivery.attempts + 1,
      settings.retrySeconds,
      clock.now(),
      ports.random(),
    );
    return { delivery, decision, lastError: outcome.kind === 'failed' ? outcome.error : null };
  };
  // One write per claim: a round trip per attempt was most of what delivering cost the database.
  const settle = async (outcomes: readonly DeliveryOutcome[]) => {
    const settledAt = clock.now().getTime();
    for (const { delivery, decision } of await outbox.settle(outcomes)) {
      ports.onSettled?.({ status: decision.status, lagMs: settledAt - delivery.occurredAt.getTime() });
    }
  };
  return async ({ signal } = {}) => {
    const report = { delivered: 0, retrying: 0, gone: 0, failed: 0 };
    if (settings.endpoints.length === 0) return report;
    while (!signal?.aborted) {
      await outbox.enqueue(settings.endpoints, settings.batchSize);
      const claimed = await outbox.claimDue(settings.endpoints, clock.now(), settings.batchSize, leaseMs);
      if (claimed.length === 0) break;
      const outcomes = await Promise.all(claimed.map(attempt));
      await settle(outcomes);
      for (const { decision } of outcomes)
        report[decision.status === 'pending' ? 'retrying' : decision.status] += 1;
    }
    return report;
  };
}

export type RedeliverFailed = (since: Date) => Promise<number>;

/** Makes every failed delivery of an event since `since` due again, with a fresh retry schedule. */
export function redeliverFailed(ports: Pick<DeliverWebhooksPorts, 'outbox' | 'clock'>): RedeliverFailed {
  return (since) => ports.outbox.requeueFailed(since, ports.clock.now());
}
