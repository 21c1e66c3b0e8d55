import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { UseCases } from '../../application/use-cases/use-cases.js';
import type { AppEnv } from './app-env.js';
import { errorResponse } from './errors.js';
import { hubSignature, importAppSecrets, signedByAny, signedRequestPayload } from './meta-signatures.js';
import { inboundMessages } from './meta-webhook-payload.js';
import { sameSecret } from './same-secret.js';
import { DATA_DELETION_PATH } from './web/web-routes.js';

export interface MetaWebhookOptions {
  /** META_WEBHOOK_VERIFY_TOKEN; null leaves `/webhooks/meta` unanswered (404). */
  readonly verifyToken: string | null;
  /**
   * The Meta app secrets deliveries may be signed with (the Facebook app's, and the Instagram apps'
   * when set); none leaves the deauthorize and data deletion callbacks unanswered (404).
   */
  readonly appSecrets: readonly string[];
  /** Where the data deletion status page is reached from outside; null uses the request's own origin. */
  readonly publicBaseUrl: string | null;
}

// Meta batches deliveries; well above what a batch of text messages comes to, and still bounded.
const MAX_DELIVERY_BYTES = 1024 * 1024;

/** Where Meta delivers webhooks. */
export const META_WEBHOOK_PATH = '/webhooks/meta';

const limitBody = bodyLimit({
  maxSize: MAX_DELIVERY_BYTES,
  onError: (c) =>
    errorResponse(c, { code: 'payload_too_large', detail: 'The request body is larger than 1 MiB.' }),
});

const notFound = (c: Context<AppEnv>) =>
  errorResponse(c, { code: 'not_found', detail: `No route for ${c.req.method} ${c.req.path}.` });

const unsigned = (c: Context<AppEnv>, what: string) =>
  errorResponse(c, {
    code: 'unauthenticated',
    detail: `${what} is missing or not signed with this app's secret.`,
  });

/**
 * Meta's calls to the service, authenticated by the app secret rather than a user: the webhook
 * subscription check and deliveries (`/webhooks/meta`), and the deauthorize and data deletion callbacks.
 * A delivery is recorded before the 200 (four statements, however large the batch): Meta redelivers
 * whatever did not get a 200, and a redelivered `mid` changes nothing.
 *
 * `checkDelivery` goes on `META_WEBHOOK_PATH` before the address rate limit: it reads a delivery that
 * carries a well-formed `X-Hub-Signature-256` and, when the signature verifies, sets `metaDelivery` to its
 * body, which the rate limit lets through and the route records. Anything else reaches the rate limit
 * unread, and the route answers it 401.
 */
export function metaWebhooks(useCases: UseCases, options: MetaWebhookOptions) {
  const { verifyToken, appSecrets } = options;
  const keys = importAppSecrets(appSecrets);

  // The signature covers the bytes as sent: the body is read raw, and parsed only once it checks out.
  const checkDelivery: MiddlewareHandler<AppEnv> = async (c, next) => {
    const signature = hubSignature(c.req.header('x-hub-signature-256'));
    if (verifyToken === null || c.req.method !== 'POST' || signature === null) return next();
    return limitBody(c, async () => {
      const body = new Uint8Array(await c.req.arrayBuffer());
      if (await signedByAny(await keys, signature, body)) c.set('metaDelivery', body);
      await next();
    });
  };

  // The callbacks' user: the app-scoped Meta user id of a signed_request.
  const signedUser = async (c: Context<AppEnv>): Promise<string | Response> => {
    const form = new URLSearchParams(await c.req.text());
    const signedRequest = form.get('signed_request');
    const payload = signedRequest === null ? null : await signedRequestPayload(await keys, signedRequest);
    if (payload === null) return unsigned(c, 'signed_request');
    // A string, as Meta sends it: a number this long would have lost digits in JSON.parse.
    const userId = payload.user_id;
    if (typeof userId !== 'string' || !/^\d{1,64}$/.test(userId)) {
      return errorResponse(c, { code: 'invalid_request', detail: 'signed_request names no user_id.' });
    }
    return userId;
  };

  const routes = new Hono<AppEnv>()
    // A delivery's body was read by `checkDelivery`, or is not needed: only the callbacks read theirs here.
    .use('/webhooks/meta/deauthorize', limitBody)
    .use('/webhooks/meta/data-deletion', limitBody)
    .get(META_WEBHOOK_PATH, async (c) => {
      if (verifyToken === null) return notFound(c);
      const mode = c.req.query('hub.mode');
      const given = c.req.query('hub.verify_token');
      const challenge = c.req.query('hub.challenge');
      if (mode !== 'subscribe' || challenge === undefined || challenge === '') {
        return errorResponse(c, {
          code: 'invalid_request',
          detail: 'Send hub.mode=subscribe, hub.verify_token and hub.challenge.',
        });
      }
      if (given === undefined || !(await sameSecret(given, verifyToken))) {
        return errorResponse(c, {
          code: 'forbidden',
          detail: 'hub.verify_token does not match META_WEBHOOK_VERIFY_TOKEN.',
        });
      }
      return c.text(challenge, 200);
    })
    .post(META_WEBHOOK_PATH, async (c) => {
      if (verifyToken === null) return notFound(c);
      // Read and verified by `checkDelivery`; unset when the signature was missing or wrong.
      const body = c.get('metaDelivery');
      if (body === undefined) return unsigned(c, 'X-Hub-Signature-256');
      let delivery: unknown;
      try {
        delivery = JSON.parse(new TextDecoder().decode(body));
      } catch {
        return errorResponse(c, { code: 'invalid_request', detail: 'The request body is not valid JSON.' });
      }
      await useCases.receiveMetaMessages(inboundMessages(delivery));
      return c.text('EVENT_RECEIVED', 200);
    })
    .post('/webhooks/meta/deauthorize', async (c) => {
      if (appSecrets.length === 0) return notFound(c);
      const user = await signedUser(c);
      if (user instanceof Response) return user;
      await useCases.deauthorizeMetaUser(user);
      return c.json({ received: true }, 200);
    })
    .post('/webhooks/meta/data-deletion', async (c) => {
      if (appSecrets.length === 0) return notFound(c);
      const user = await signedUser(c);
      if (user instanceof Response) return user;
      const deletion = await useCases.eraseMetaUser(user);
      const origin = options.publicBaseUrl ?? new URL(c.req.url).origin;
      return c.json(
        {
          url: `${origin}${DATA_DELETION_PATH}/${deletion.confirmationCode}`,
          confirmation_code: deletion.confirmationCode,
        },
        200,
      );
    });
  return { checkDelivery, routes };
}
