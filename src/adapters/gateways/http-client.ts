import { z } from 'zod';
import { fail, ok, type Result } from '../../domain/result.js';

/** What a gateway sends: a text body (JSON or a form) when there is one. */
export interface OutboundRequest {
  readonly method?: 'GET' | 'POST' | 'DELETE';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** An answer that arrived whole, in time and within {@link MOST_ANSWER_BYTES}. */
export interface RawAnswer {
  readonly status: number;
  /** A header's value by its lower-case name, or null. */
  header(name: string): string | null;
  readonly text: string;
}

/**
 * One request and its whole answer, redirects not followed. It rejects with an error named
 * `TimeoutError` once `timeoutMs` has passed (reading the body included), with {@link AnswerTooLarge} for
 * a body over {@link MOST_ANSWER_BYTES}, and with any other error when the platform cannot be reached.
 */
export type HttpExchange = (url: URL, request: OutboundRequest, timeoutMs: number) => Promise<RawAnswer>;

/** How a gateway reaches its platform: the exchange injected, every call bounded in time. */
export interface HttpClient {
  readonly exchange: HttpExchange;
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
  readonly header: (name: string) => string | null;
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

// Platform answers are small JSON documents; a larger one is refused rather than held in memory.
export const MOST_ANSWER_BYTES = 1024 * 1024;

export class AnswerTooLarge extends Error {
  override readonly name = 'AnswerTooLarge';
}

/** The body as text, refusing (and no longer reading) one over {@link MOST_ANSWER_BYTES}. */
async function boundedText(response: Response): Promise<string> {
  if (Number(response.headers.get('content-length') ?? 0) > MOST_ANSWER_BYTES) {
    await response.body?.cancel();
    throw new AnswerTooLarge();
  }
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MOST_ANSWER_BYTES) {
      await reader.cancel();
      throw new AnswerTooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/** The exchange over `fetch`, for the runtimes that have nothing else (Workers, Deno). */
export function fetchExchange(fetch: typeof globalThis.fetch): HttpExchange {
  return async (url, request, timeoutMs) => {
    const response = await fetch(url, {
      ...request,
      // Workers' fetch has no 'error' mode; the caller refuses a redirect instead.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await boundedText(response);
    return { status: response.status, header: (name) => response.headers.get(name), text };
  };
}

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
 * a network error, HTTP 5xx, HTTP 429, a body over 1 MiB and one that is not JSON all become
 * `platform_unavailable`.
 */
export async function requestJson(
  client: HttpClient,
  url: URL,
  request: OutboundRequest = {},
): Promise<Result<JsonAnswer>> {
  let answer: RawAnswer;
  try {
    answer = await client.exchange(url, request, client.timeoutMs);
  } catch (error) {
    if (error instanceof AnswerTooLarge)
      return platformUnavailable(client, 'sent an answer larger than this service reads');
    return error instanceof Error && error.name === 'TimeoutError'
      ? platformUnavailable(client, `did not answer within ${client.timeoutMs / 1000} seconds`)
      : platformUnavailable(client, 'could not be reached');
  }
  const { status, header, text } = answer;
  if (status >= 500) return platformUnavailable(client, `is not working right now (HTTP ${status})`);
  if (status >= 300 && status < 400)
    return platformUnavailable(client, `answered with a redirect (HTTP ${status})`);
  if (status === 429) return platformUnavailable(client, 'is limiting requests right now');
  const parsed = parseJson(text);
  if (parsed === null) return unreadable(client);
  return ok({ status, header, body: parsed.body });
}

/**
 * A name the platform shows (a display name, a Page's name), as stored in metadata: at most 255
 * characters, with controls and lone surrogates (which PostgreSQL cannot store as sent) replaced.
 */
export const shownName = z
  .string()
  .transform((name) => name.replace(/[\p{Cc}\p{Cs}]/gu, '\uFFFD').slice(0, 255));

/** The body as `schema` describes it, or `platform_unavailable` when the platform sent something else. */
export function readBody<T>(client: HttpClient, schema: z.ZodType<T>, body: unknown): Result<T> {
  const parsed = schema.safeParse(body);
  return parsed.success ? ok(parsed.data) : unreadable(client);
}
