import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/adapters/http/app-env.js';
import { declareRoute, type RouteFacts, routeFacts } from '../../src/adapters/http/route-facts.js';

/** An app whose app-wide middleware reports the facts it sees, and answers before any route when asked. */
function appSeeingFacts() {
  const seen: RouteFacts[] = [];
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    seen.push(routeFacts(c));
    if (c.req.header('x-refuse') !== undefined) return c.text('refused early', 429);
    return next();
  });
  const deletion = new Hono<AppEnv>().delete(
    '/:platform',
    declareRoute({ audit: 'integration.delete', limit: 'outbound' }),
    (c) => c.body(null, 204),
  );
  app.route('/renamed/anywhere', deletion);
  app.get('/plain', (c) => c.text('plain'));
  return { app, seen };
}

describe('route facts', () => {
  it('are read from the route that declared them, wherever it is mounted', async () => {
    const { app, seen } = appSeeingFacts();
    expect((await app.request('/renamed/anywhere/email', { method: 'DELETE' })).status).toBe(204);
    expect(seen).toEqual([{ audit: 'integration.delete', limit: 'outbound' }]);
  });

  it('are known to middleware that answers before the route is reached', async () => {
    const { app, seen } = appSeeingFacts();
    const response = await app.request('/renamed/anywhere/email', {
      method: 'DELETE',
      headers: { 'x-refuse': '1' },
    });
    expect(response.status).toBe(429);
    expect(seen).toEqual([{ audit: 'integration.delete', limit: 'outbound' }]);
  });

  it('are none for a route that declared nothing, another method, or no route', async () => {
    const { app, seen } = appSeeingFacts();
    await app.request('/plain');
    await app.request('/renamed/anywhere/email');
    await app.request('/nowhere');
    expect(seen).toEqual([{}, {}, {}]);
  });
});
