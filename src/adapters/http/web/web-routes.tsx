import { Hono, type MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.js';
import { CallbackPage } from './callback-page.js';
import { DocsPage } from './docs-page.js';
import { SettingsPage } from './settings-page.js';

export const SETTINGS_PATH = '/settings';
export const CALLBACK_PATH = '/settings/callback';
export const DOCS_PATH = '/docs';

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

// The callback page's URL carries the authorization code: it must not leak through Referer or a cache.
const pageHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  c.header('Content-Security-Policy', PAGE_CONTENT_SECURITY_POLICY);
  c.header('Referrer-Policy', 'no-referrer');
  c.header('Cache-Control', 'no-store');
};

/** The browser pages: the integrations settings page, its OAuth callback page and the API docs. */
export function webRoutes() {
  return new Hono<AppEnv>({ strict: false })
    .get(SETTINGS_PATH, pageHeaders, (c) => c.html(<SettingsPage />))
    .get(CALLBACK_PATH, pageHeaders, (c) => c.html(<CallbackPage />))
    .get(DOCS_PATH, pageHeaders, (c) => c.html(<DocsPage />));
}
