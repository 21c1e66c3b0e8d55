import type { z } from 'zod';
import { fail, ok, type Result } from '../../domain/result.js';

/** How a gateway reaches its platform: `fetch` injected, every call bounded in time. */
export interface HttpClient {
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
  /** The platform as people know it, for error sentences ("Meta", "TikTok"). */
  readonly platformName: string;
}

/**
 * An answer that arrived in time, below HTTP 500 and not rate-limited; `body` is parsed JSON, unchecked
 * (undefined for an empty body).
 */
export interface JsonAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/** The platform failed us (not the user's credentials): nothing may be saved or changed. */
export function platformUnavailable(client: Pick<HttpClient, 'platformName'>, why: string) {
  return fail<never>(
    'platform_unavailable',
    `${client.platformName} ${why}. Nothing was changed; try again later.`,
  );
}

const unreadable = (client: HttpClient) =>
  platformUnavailable(client, 'sent an answer this service could not read');

function parseJson(text: string): { readonly body: unknown } | null {
  if (text === '') return { body: undefined };
  try {
    return { body: JSON.parse(text) };
  } catch {
    return null;
  }
}

/**
 * Sends one request and reads its JSON answer. Redirects are refused. A timeout (covering the body too),
 * a network error, HTTP 5xx, HTTP 429 and a body that is not JSON all become `platform_unavailable`.
 */
export async function requestJson(
  client: HttpClient,
  url: URL,
  init: RequestInit = {},
): Promise<Result<JsonAnswer>> {
  let status: number;
  let headers: Headers;
  let text: string;
  try {
    const response = await client.fetch(url, {
      ...init,
      // Workers' fetch has no 'error' mode; a redirect is refused below instead.
      redirect: 'manual',
      signal: AbortSignal.timeout(client.timeoutMs),
    });
    status = response.status;
    headers = response.headers;
    text = await response.text();
  } catch (error) {
    return error instanceof Error && error.name === 'TimeoutError'
      ? platformUnavailable(client, `did not answer within ${client.timeoutMs / 1000} seconds`)
      : platformUnavailable(client, 'could not be reached');
  }
  if (status >= 500) return platformUnavailable(client, `is not working right now (HTTP ${status})`);
  if (status >= 300 && status < 400)
    return platformUnavailable(client, `answered with a redirect (HTTP ${status})`);
  if (status === 429) return platformUnavailable(client, 'is limiting requests right now');
  const parsed = parseJson(text);
  if (parsed === null) return unreadable(client);
  return ok({ status, headers, body: parsed.body });
}

/** The body as `schema` describes it, or `platform_unavailable` when the platform sent something else. */
export function readBody<T>(client: HttpClient, schema: z.ZodType<T>, body: unknown): Result<T> {
  const parsed = schema.safeParse(body);
  return parsed.success ? ok(parsed.data) : unreadable(client);
}
