import { z } from 'zod';
import type {
  DirectMessage,
  DirectMessageGateway,
} from '../../../application/ports/direct-message-gateway.js';
import type { MetaMessagingPlatform } from '../../../domain/outreach.js';
import { PLATFORM_NAMES } from '../../../domain/platform.js';
import { fail, ok, type Result } from '../../../domain/result.js';
import {
  type HttpClient,
  type HttpExchange,
  platformUnavailable,
  readBody,
  requestJson,
} from '../http-client.js';
import { isRateLimit, type MetaError, MetaErrorBody, metaFailure } from './meta-errors.js';

/** Options for {@link MetaMessenger}. */
export interface MetaMessengerOptions {
  readonly platform: MetaMessagingPlatform;
  readonly graphUrl: string;
  readonly graphVersion: string;
  readonly exchange: HttpExchange;
  readonly timeoutMs: number;
}

const SendResponse = z.object({ message_id: z.string().min(1) });

// Meta says how long a Business Use Case limit lasts (minutes) in X-Business-Use-Case-Usage; other
// limits give no time, and a minute is the shortest window they are counted over.
const DEFAULT_RETRY_SECONDS = 60;

const BusinessUseCaseUsage = z.record(
  z.string(),
  z.array(z.object({ estimated_time_to_regain_access: z.number().optional() })),
);

/** The seconds until Meta lets the account send again, from X-Business-Use-Case-Usage. */
function retryAfterSeconds(usageHeader: string | null): number {
  if (usageHeader === null) return DEFAULT_RETRY_SECONDS;
  let parsed: unknown;
  try {
    parsed = JSON.parse(usageHeader);
  } catch {
    return DEFAULT_RETRY_SECONDS;
  }
  const usage = BusinessUseCaseUsage.safeParse(parsed);
  const minutes = usage.success
    ? Math.max(
        0,
        ...Object.values(usage.data).flatMap((entries) =>
          entries.map((entry) => entry.estimated_time_to_regain_access ?? 0),
        ),
      )
    : 0;
  return minutes > 0 ? minutes * 60 : DEFAULT_RETRY_SECONDS;
}

// 10/2018278 (Messenger) and 10/2534022 (Instagram): the reply falls outside the allowed window.
const OUTSIDE_WINDOW_SUBCODES = [2018278, 2534022];
// 10/1893063: the Page is temporarily restricted from sending; nothing to do with the token.
const PAGE_RESTRICTED_SUBCODE = 1893063;

/**
 * Facebook Messenger and Instagram (through the linked Page) on the Page's Send API:
 * `POST /{page-id}/messages` with the Page token, replying with `RESPONSE` or tagged `HUMAN_AGENT`; and
 * Instagram Login's identical API on graph.instagram.com, `POST /{ig-user-id}/messages` with its token.
 */
export class MetaMessenger implements DirectMessageGateway {
  private readonly http: HttpClient;
  private readonly name: string;

  constructor(private readonly options: MetaMessengerOptions) {
    this.http = { exchange: options.exchange, timeoutMs: options.timeoutMs, platformName: 'Meta' };
    this.name = PLATFORM_NAMES[options.platform];
  }

  async send(message: DirectMessage): Promise<Result<{ readonly messageId: string }>> {
    const url = new URL(
      `${this.options.graphUrl}/${this.options.graphVersion}/${encodeURIComponent(message.senderId)}/messages`,
    );
    const answer = await requestJson(this.http, url, {
      method: 'POST',
      headers: { authorization: `Bearer ${message.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        recipient: { id: message.recipientId },
        ...(message.tag === null
          ? { messaging_type: 'RESPONSE' }
          : { messaging_type: 'MESSAGE_TAG', tag: message.tag }),
        message: { text: message.text },
      }),
    });
    if (!answer.ok) return answer;
    const { status, header, body } = answer.value;
    if (status < 300) {
      const sent = readBody(this.http, SendResponse, body);
      return sent.ok ? ok({ messageId: sent.value.message_id }) : sent;
    }
    const error = readBody(this.http, MetaErrorBody, body);
    return error.ok ? this.refusal(error.value.error, header('x-business-use-case-usage')) : error;
  }

  private refusal(error: MetaError, usageHeader: string | null): Result<never> {
    const { code, subcode } = error;
    if (isRateLimit(code)) {
      return fail(
        'platform_rate_limited',
        'Meta is limiting messages from this account right now; try again later.',
        retryAfterSeconds(usageHeader),
      );
    }
    if (code === 10 && subcode !== null && OUTSIDE_WINDOW_SUBCODES.includes(subcode)) {
      return fail(
        'outside_messaging_window',
        'Meta refused the message: it is outside the allowed window (24 hours after the person’s last message, 7 days with HUMAN_AGENT).',
      );
    }
    if (code === 551 || (code === 100 && subcode === 2018001)) {
      return fail(
        'recipient_unavailable',
        `This person cannot receive messages from this ${this.name} account: unknown to the Page, unavailable, or they turned messages off.`,
      );
    }
    if (code === 10 && subcode === PAGE_RESTRICTED_SUBCODE) {
      return platformUnavailable(this.http, 'has temporarily restricted this Page from sending');
    }
    return metaFailure(error, 'token', this.name, this.http);
  }
}
