import { Hono } from 'hono';
import type { AppEnv } from './app-env.js';
import { errorResponse } from './errors.js';
import { sameSecret } from './same-secret.js';

/**
 * `GET /webhooks/meta`: Meta's subscription check. It answers `hub.challenge` as plain text when
 * `hub.mode` is `subscribe` and `hub.verify_token` is META_WEBHOOK_VERIFY_TOKEN; without that variable
 * the route does not exist (404). No user identity: Meta calls it, not a user.
 */
export function metaWebhookRoutes(verifyToken: string | null) {
  return new Hono<AppEnv>().get('/webhooks/meta', async (c) => {
    if (verifyToken === null) {
      return errorResponse(c, { code: 'not_found', detail: 'No route for GET /webhooks/meta.' });
    }
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
  });
}
