/**
 * Every route under /api, once. Security tests iterate over this list, so a new route is one line here.
 * `path` takes the platform to address (routes without one ignore it); `body` is a valid request body.
 */
export interface ApiRoute {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: (platform: string) => string;
  readonly body?: (platform: string) => unknown;
  /** What the owner gets for an integration that exists (OAuth routes: the redirect URI registered). */
  readonly ownStatus: number;
}

/** The redirect URI the tests register for OAuth (`oauthRedirectUris`). */
export const REDIRECT_URI = 'https://app.example.com/oauth/callback';

export const emailBody = (password: string, overrides: Record<string, unknown> = {}) => ({
  platform: 'email',
  email_address: 'me@example.com',
  smtp_host: 'smtp.example.com',
  smtp_port: 587,
  smtp_username: 'me@example.com',
  smtp_password: password,
  ...overrides,
});

export const tokenBody = (platform: string, accessToken: string, refreshToken: string | null = null) => ({
  platform,
  access_token: accessToken,
  refresh_token: refreshToken,
});

/** A valid send body for each platform (TikTok's is refused whatever it holds). */
export const messageBody = (platform: string, text = 'Thanks for your message') =>
  platform === 'email'
    ? { to: 'lead@example.org', subject: 'Following up', text }
    : { recipient_id: '24000000000000001', text };

export const API_ROUTES: readonly ApiRoute[] = [
  { name: 'list', method: 'GET', path: () => '/api/integrations', ownStatus: 200 },
  { name: 'all capabilities', method: 'GET', path: () => '/api/integrations/capabilities', ownStatus: 200 },
  {
    name: 'one capability',
    method: 'GET',
    path: (p) => `/api/integrations/${p}/capabilities`,
    ownStatus: 200,
  },
  {
    name: 'save',
    method: 'POST',
    path: () => '/api/integrations',
    body: (p) =>
      p === 'email' ? emailBody('CANARY_PW_route-table') : tokenBody(p, 'CANARY_AT_route-table-0001'),
    ownStatus: 200,
  },
  { name: 'validate', method: 'POST', path: (p) => `/api/integrations/${p}/validate`, ownStatus: 200 },
  { name: 'delete', method: 'DELETE', path: (p) => `/api/integrations/${p}`, ownStatus: 204 },
  { name: 'audit', method: 'GET', path: () => '/api/integrations/audit', ownStatus: 200 },
  {
    name: 'oauth authorize',
    method: 'GET',
    path: (p) => `/api/integrations/oauth/${p}/authorize?redirect_uri=${encodeURIComponent(REDIRECT_URI)}`,
    // Email has no OAuth, so the owner is told so.
    ownStatus: 400,
  },
  {
    name: 'oauth callback',
    method: 'POST',
    path: (p) => `/api/integrations/oauth/${p}/callback`,
    body: () => ({ code: 'CANARY_CODE_route-table', state: 'a'.repeat(43), redirect_uri: REDIRECT_URI }),
    // A state this service never issued.
    ownStatus: 400,
  },
  {
    name: 'send message',
    method: 'POST',
    path: (p) => `/api/outreach/${p}/messages`,
    body: (p) => messageBody(p),
    ownStatus: 201,
  },
  { name: 'message log', method: 'GET', path: () => '/api/outreach/messages', ownStatus: 200 },
  {
    name: 'recipient check',
    method: 'GET',
    path: (p) =>
      `/api/outreach/${p}/recipients/${p === 'email' ? 'lead%40example.org' : '24000000000000001'}`,
    ownStatus: 200,
  },
  { name: 'suppressions', method: 'GET', path: () => '/api/outreach/email/suppressions', ownStatus: 200 },
  {
    name: 'suppress',
    method: 'PUT',
    path: () => '/api/outreach/email/suppressions/someone%40example.org',
    ownStatus: 201,
  },
  {
    name: 'unsuppress',
    method: 'DELETE',
    path: () => '/api/outreach/email/suppressions/someone%40example.org',
    ownStatus: 204,
  },
  { name: 'events', method: 'GET', path: () => '/api/events', ownStatus: 200 },
];

/** Builds the request for `route` with an optional query string and bearer token. */
export function routeRequest(
  route: ApiRoute,
  platform: string,
  { query = '', token }: { query?: string; token?: string } = {},
): [string, RequestInit] {
  const body = route.body?.(platform);
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const path = route.path(platform);
  return [
    `${path}${path.includes('?') ? query.replace(/^\?/, '&') : query}`,
    { method: route.method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) },
  ];
}
