/** How one delivery attempt to one endpoint ended. */
export type AttemptOutcome =
  | { readonly kind: 'delivered'; readonly status: number }
  /** 410 Gone: the receiver asked never to be sent this again. */
  | { readonly kind: 'gone'; readonly status: number }
  /** Any other status, a timeout, a refused connection or a redirect. */
  | { readonly kind: 'failed'; readonly status: number | null; readonly error: string };

export type DeliveryStatus = 'pending' | 'delivered' | 'gone' | 'failed';

export interface DeliveryDecision {
  readonly status: DeliveryStatus;
  /** When to try again; null once the delivery is settled for good. */
  readonly nextAttemptAt: Date | null;
}

/**
 * What follows attempt number `attempts` (1 for the first): a failure is retried after the schedule's
 * wait for it, stretched by up to a fifth at random (`random` in [0, 1)) so receivers coming back from
 * an outage are not hit by every retry at once; after the last wait's attempt it is failed.
 */
export function decideAfterAttempt(
  outcome: AttemptOutcome,
  attempts: number,
  retrySeconds: readonly number[],
  now: Date,
  random: number,
): DeliveryDecision {
  if (outcome.kind !== 'failed') return { status: outcome.kind, nextAttemptAt: null };
  const wait = retrySeconds[attempts - 1];
  if (wait === undefined) return { status: 'failed', nextAttemptAt: null };
  return { status: 'pending', nextAttemptAt: new Date(now.getTime() + wait * 1000 * (1 + random / 5)) };
}
