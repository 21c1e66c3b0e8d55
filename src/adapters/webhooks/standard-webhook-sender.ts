import { Webhook } from 'standardwebhooks';
import type { WebhookSender } from '../../application/ports/webhook-sender.js';
import type { AttemptOutcome } from '../../domain/webhook-retry.js';

/** The `code` of a transport's error when the endpoint address policy refused the connection. */
export const HOST_NOT_ALLOWED = 'WEBHOOK_HOST_NOT_ALLOWED';

export interface StandardWebhookOptions {
  /** `whsec_<base64>` secrets; each attempt carries one `v1,` signature per secret, space-separated. */
  readonly secrets: readonly string[];
  readonly timeoutMs: number;
  readonly fetch: typeof globalThis.fetch;
}

/**
 * Standard Webhooks 1.0 over fetch: `webhook-id`, `webhook-timestamp` (this attempt's), and the
 * signatures. A redirect is not followed (`redirect: 'manual'`): it could lead to a host the endpoint
 * policy never saw, so it counts as a failed attempt like any status other than 2xx and 410.
 */
export function standardWebhookSender(options: StandardWebhookOptions): WebhookSender {
  const signers = options.secrets.map((secret) => new Webhook(secret));
  return {
    async send(endpoint, webhookId, body): Promise<AttemptOutcome> {
      const now = new Date();
      const signature = signers.map((signer) => signer.sign(webhookId, now, body)).join(' ');
      let response: Response;
      try {
        response = await options.fetch(endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'webhook-id': webhookId,
            'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
            'webhook-signature': signature,
          },
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch (error) {
        if (error instanceof DOMException && error.name === 'TimeoutError') {
          return { kind: 'failed', status: null, error: 'timeout' };
        }
        const refused = (error as { code?: unknown } | null)?.code === HOST_NOT_ALLOWED;
        return { kind: 'failed', status: null, error: refused ? 'host not allowed' : 'unreachable' };
      }
      // The receiver's answer carries nothing for us; cancelling its body frees the connection.
      await response.body?.cancel().catch(() => {});
      if (response.status >= 200 && response.status < 300) {
        return { kind: 'delivered', status: response.status };
      }
      if (response.status === 410) return { kind: 'gone', status: 410 };
      const redirect = response.status >= 300 && response.status < 400;
      return { kind: 'failed', status: response.status, error: redirect ? 'redirect refused' : 'status' };
    },
  };
}
