import { Hono, type MiddlewareHandler } from 'hono';
import type { UseCases } from '../../../application/use-cases/use-cases.js';
import type { AppEnv } from '../app-env.js';
import { CallbackPage } from './callback-page.js';
import { DataDeletionPage } from './data-deletion-page.js';
import { DocsPage } from './docs-page.js';
import { SettingsPage } from './settings-page.js';
import { UnsubscribePage } from './unsubscribe-page.js';

export const SETTINGS_PATH = '/settings';
export const CALLBACK_PATH = '/settings/callback';
export const DOCS_PATH = '/docs';
export const UNSUBSCRIBE_PATH = '/unsubscribe';
export const DATA_DELETION_PATH = '/data-deletion';

/**
 * What the pages need and nothing more: their own scripts, styles and API calls, and `data:` images
 * (Swagger UI's icons). No inline script or style anywhere.
 */
export const PAGE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Where {@link pageHeaders} applies, with and without a trailing slash. */
export const PAGE_PATHS = [
  SETTINGS_PATH,
  `${SETTINGS_PATH}/*`,
  DOCS_PATH,
  `${DOCS_PATH}/*`,
  `${UNSUBSCRIBE_PATH}/*`,
  `${DATA_DELETION_PATH}/*`,
];

/**
 * The pages' CSP in place of the API's `default-src 'none'`. It must run after the app's security
 * headers on the way out, so the app registers it before them. The callback page's URL carries the
 * authorization code: the app's `Referrer-Policy: no-referrer` and `Cache-Control: no-store` keep it there.
 */
export const pageHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  c.header('Content-Security-Policy', PAGE_CONTENT_SECURITY_POLICY);
};

/**
 * The browser pages: the integrations settings page, its OAuth callback page, the API docs, the one-click
 * unsubscribe page and the Meta data deletion status page (no sign-in: the token or the confirmation code
 * is the authority). `/` leads to the settings page while `?user_id=` names the user (development), and to
 * the docs when the service takes the user from a JWT, which the page as shipped does not obtain.
 */
export function webRoutes({
  useCases,
  developmentIdentity,
}: {
  useCases: UseCases;
  developmentIdentity: boolean;
}) {
  const home = developmentIdentity ? SETTINGS_PATH : DOCS_PATH;
  return new Hono<AppEnv>({ strict: false })
    .get('/', (c) => c.redirect(home))
    .get(SETTINGS_PATH, (c) => c.html(<SettingsPage />))
    .get(CALLBACK_PATH, (c) => c.html(<CallbackPage />))
    .get(DOCS_PATH, (c) => c.html(<DocsPage />))
    .get(`${UNSUBSCRIBE_PATH}/:token`, async (c) => {
      const grant = await useCases.findUnsubscribe(c.req.param('token'));
      return grant === null
        ? c.html(<UnsubscribePage state="unknown" address={null} />, 404)
        : c.html(<UnsubscribePage state="confirm" address={grant.address} />);
    })
    .post(`${UNSUBSCRIBE_PATH}/:token`, async (c) => {
      const grant = await useCases.unsubscribe(c.req.param('token'));
      return grant === null
        ? c.html(<UnsubscribePage state="unknown" address={null} />, 404)
        : c.html(<UnsubscribePage state="done" address={grant.address} />);
    })
    .get(`${DATA_DELETION_PATH}/:code`, async (c) => {
      const deletion = await useCases.findDataDeletion(c.req.param('code'));
      return c.html(<DataDeletionPage deletion={deletion} />, deletion === null ? 404 : 200);
    });
}
