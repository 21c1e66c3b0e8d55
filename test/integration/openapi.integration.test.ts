import { compileErrors, validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/domain/errors.js';
import { pgliteTestDatabase, type TestDatabase } from '../support/databases.js';
import { createTestApp } from '../support/test-app.js';

/** Every route of the contract (shared docs, api-contract.md) and the audit log's, as method and path. */
const CONTRACT_ROUTES = [
  'GET /api/integrations',
  'POST /api/integrations',
  'GET /api/integrations/capabilities',
  'GET /api/integrations/{platform}/capabilities',
  'POST /api/integrations/{platform}/validate',
  'DELETE /api/integrations/{platform}',
  'GET /api/integrations/oauth/{platform}/authorize',
  'POST /api/integrations/oauth/{platform}/callback',
  'GET /healthz',
  'GET /readyz',
  // Added by the audit log (issue 5): the caller's own audit entries.
  'GET /api/integrations/audit',
  // Outreach (outreach-contract.md section 1).
  'POST /api/outreach/{platform}/messages',
  'GET /api/outreach/messages',
  'GET /api/outreach/{platform}/recipients/{recipient}',
  'GET /api/outreach/email/suppressions',
  'PUT /api/outreach/email/suppressions/{address}',
  'DELETE /api/outreach/email/suppressions/{address}',
  // Events out (outreach-contract.md section 2): the pull side of the webhooks.
  'GET /api/events',
];

interface Operation {
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
  security?: unknown[];
}

interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, { properties?: Record<string, { enum?: string[] }>; required?: string[] }>;
    securitySchemes: Record<string, unknown>;
  };
  security: unknown[];
}

let database: TestDatabase;
let document: Document;
let app: Awaited<ReturnType<typeof createTestApp>>['app'];

beforeAll(async () => {
  database = await pgliteTestDatabase();
  ({ app } = await createTestApp(database));
  const response = await app.request('/openapi.json');
  expect(response.status).toBe(200);
  document = await response.json();
});
afterAll(() => database.dispose());

const operations = () =>
  Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      route: `${method.toUpperCase()} ${path}`,
      operation,
    })),
  );

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    // The parser dereferences in place, so it gets a copy.
    const result = await validate(structuredClone(document) as never);
    expect(result.valid ? '' : compileErrors(result)).toBe('');
    expect(result).toMatchObject({ valid: true, warnings: [], specification: 'OpenAPI' });
    expect(document.openapi).toBe('3.1.0');
  });

  it('lists every route of the contract, and nothing else', () => {
    expect(
      operations()
        .map(({ route }) => route)
        .sort(),
    ).toEqual([...CONTRACT_ROUTES].sort());
  });

  it('describes the error shape with every stable code, and uses it for every API error answer', () => {
    expect(document.components.schemas.Error).toMatchObject({
      required: ['detail', 'code'],
      properties: { detail: { type: 'string' }, code: { enum: [...ERROR_CODES] }, errors: { type: 'array' } },
    });
    for (const { route, operation } of operations().filter(({ route }) => route.includes('/api/'))) {
      for (const status of ['400', '401', '403', '404', '429', '500', '502', '503']) {
        expect(
          operation.responses[status]?.content?.['application/json']?.schema,
          `${route} ${status}`,
        ).toEqual({
          $ref: '#/components/schemas/Error',
        });
      }
    }
  });

  it('names the user parameter, the bodies and the answers of the API routes', () => {
    for (const { route, operation } of operations().filter(({ route }) => route.includes('/api/'))) {
      // Optional: with JWTs the token names the user; in development user_id is required.
      expect(operation.parameters, route).toContainEqual(
        expect.objectContaining({ name: 'user_id', in: 'query', required: false }),
      );
      const success = operation.responses['200'] ?? operation.responses['204'];
      expect(success, route).toBeDefined();
    }
    const bodies = operations()
      .filter(({ operation }) => operation.requestBody !== undefined)
      .map(({ route, operation }) => [
        route,
        operation.requestBody?.content['application/json']?.schema.$ref,
      ]);
    expect(bodies).toEqual([
      ['POST /api/integrations/oauth/{platform}/callback', '#/components/schemas/OAuthCallbackRequest'],
      ['POST /api/integrations', '#/components/schemas/IntegrationCreate'],
      ['POST /api/outreach/{platform}/messages', '#/components/schemas/MessageRequest'],
    ]);
  });

  it('declares the bearer scheme for the API, optional while user_id names the user, and none for probes', () => {
    expect(document.components.securitySchemes).toEqual({
      bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: expect.any(String) },
    });
    expect(document.security).toEqual([{ bearerAuth: [] }, {}]);
    expect(document.paths['/healthz']?.get?.security).toEqual([]);
    expect(document.paths['/readyz']?.get?.security).toEqual([]);
  });
});

/** Every `pattern` in the document, with where it is (a JSON pointer). */
function patterns(node: unknown, pointer = ''): { pointer: string; pattern: string }[] {
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === 'pattern' && typeof value === 'string'
      ? [{ pointer: `${pointer}/${key}`, pattern: value }]
      : patterns(value, `${pointer}/${key}`),
  );
}

// Plain and accented text, an emoji (a surrogate pair without `u`), a C0 and a C1 control, DEL, and
// the characters a `\p{Cc}` read without `u` would wrongly refuse.
const SAMPLES = [
  'demo',
  'user@example.com',
  'Zoë 😀',
  'p{Cc}',
  'mail.example.com',
  '[::1]',
  '42',
  'a\nb',
  '\u0085',
  '\u007f',
  '',
];

describe('the patterns in /openapi.json', () => {
  it('are JSON-Schema (ECMA-262) regular expressions without flags, meaning the same with and without u', () => {
    const found = patterns(document);
    expect(found.length).toBeGreaterThanOrEqual(19);
    for (const { pointer, pattern } of found) {
      expect(pattern, pointer).not.toMatch(/\/[dgimsuvy]+$/);
      // Swagger UI and most validators compile a pattern as it is; Ajv and others add `u`.
      const plain = new RegExp(pattern);
      const unicode = new RegExp(pattern, 'u');
      for (const sample of SAMPLES) {
        expect(plain.test(sample), `${pointer} on ${JSON.stringify(sample)}`).toBe(unicode.test(sample));
      }
    }
  });

  it('let through exactly the user_id values the API accepts', async () => {
    const parameter = document.paths['/api/integrations/capabilities']?.get?.parameters?.find(
      ({ name }) => name === 'user_id',
    ) as { schema?: { pattern?: string } } | undefined;
    const pattern = new RegExp(parameter?.schema?.pattern ?? 'no pattern');
    const verdicts = await Promise.all(
      SAMPLES.filter((sample) => sample !== '').map(async (sample) => {
        const response = await app.request(
          `/api/integrations/capabilities?user_id=${encodeURIComponent(sample)}`,
        );
        return { sample, accepted: response.status === 200, matches: pattern.test(sample) };
      }),
    );
    expect(verdicts.filter(({ accepted }) => !accepted).map(({ sample }) => sample)).toEqual([
      'a\nb',
      '\u0085',
      '\u007f',
    ]);
    for (const { sample, accepted, matches } of verdicts)
      expect(matches, JSON.stringify(sample)).toBe(accepted);
  });
});

describe('GET /openapi.json under load (issue 14)', () => {
  const medianMs = async (send: () => Response | Promise<Response>, count: number) => {
    const durations: number[] = [];
    for (let index = 0; index < count; index += 1) {
      const started = performance.now();
      await (await send()).arrayBuffer();
      durations.push(performance.now() - started);
    }
    return durations.sort((a, b) => a - b)[Math.floor(count / 2)] ?? 0;
  };

  it('is built once, so serving it costs about as much as a probe', async () => {
    const { app } = await createTestApp(database);
    await app.request('/openapi.json');

    const probe = await medianMs(() => app.request('/healthz'), 30);
    const openapi = await medianMs(() => app.request('/openapi.json'), 30);

    // Generating the document took ~6 ms a request, against a fraction of one for /healthz.
    expect(openapi).toBeLessThan(probe * 4 + 1.5);
  });

  it.each(['/openapi.json', '/docs', '/settings', '/settings/callback'])(
    'counts %s against the client address’s limit',
    async (path) => {
      const { app } = await createTestApp(database, {
        env: { RATE_LIMIT_PER_MINUTE: '2' },
      });
      const statuses = [];
      for (let index = 0; index < 3; index += 1) statuses.push((await app.request(path)).status);
      const limited = await app.request(path);

      expect(statuses).toEqual([200, 200, 429]);
      expect(limited.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
      expect(await limited.json()).toMatchObject({ code: 'rate_limited' });
    },
  );
});
