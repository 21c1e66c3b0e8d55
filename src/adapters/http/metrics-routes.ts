import { Hono, type MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { MetricsRecorder, MetricsText } from '../metrics/metrics-recorder.js';
import type { AppEnv } from './app-env.js';
import { sameSecret } from './same-secret.js';

/**
 * Times every request and records it by the pattern of the route that answered: the endpoint's own
 * (`/api/integrations/:platform`) when one matched, else the middleware pattern that answered (`/api/*`
 * for a refused or unknown API path, `/*` for any other unknown path). Labels stay few whatever is asked.
 */
export function measureRequests(recorder: MetricsRecorder): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    c.set('metrics', recorder);
    await next();
    const routes = matchedRoutes(c);
    const route = routes.findLast((matched) => matched.method !== 'ALL') ?? routes.at(-1);
    recorder.requestServed({
      method: c.req.method,
      route: route?.path ?? '/*',
      status: c.res.status,
      seconds: (performance.now() - started) / 1000,
    });
  };
}

/**
 * `GET /metrics` in the Prometheus text format, from `scrape`; with a `token`, only for
 * `Authorization: Bearer <token>` (401 otherwise).
 */
export function metricsRoutes(scrape: () => Promise<MetricsText>, token: string | null) {
  return new Hono().get('/metrics', async (c) => {
    if (token !== null) {
      const given = /^Bearer (.+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
      if (given === undefined || !(await sameSecret(given, token))) {
        c.header('www-authenticate', 'Bearer realm="metrics"');
        return c.text('Unauthorized: send Authorization: Bearer with METRICS_TOKEN.\n', 401);
      }
    }
    const { contentType, body } = await scrape();
    c.header('cache-control', 'no-store');
    return c.body(body, 200, { 'content-type': contentType });
  });
}
