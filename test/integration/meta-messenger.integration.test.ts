import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MetaMessenger } from '../../src/adapters/gateways/meta/meta-messenger.js';
import type { DirectMessage } from '../../src/application/ports/direct-message-gateway.js';
import { fail } from '../../src/domain/result.js';
import { MetaFake, metaError } from '../fakes/meta-fake.js';
import { exchange } from '../support/platform-exchange.js';

const PAGE = '100000000000001';
const PERSON = '24000000000000001';
const HOUR = 3_600_000;

let meta: MetaFake;
let pageToken: string;

beforeAll(async () => {
  meta = await MetaFake.start([]);
  pageToken = meta.mintPageToken(PAGE, ['pages_messaging', 'instagram_manage_messages']);
});
afterAll(() => meta.close());
afterEach(() => {
  meta.heal();
  meta.rateLimit = null;
  meta.people.clear();
});

const messenger = (platform: 'facebook' | 'instagram' = 'facebook') =>
  new MetaMessenger({
    platform,
    graphUrl: meta.baseUrl,
    graphVersion: meta.version,
    exchange,
    timeoutMs: 400,
  });

const message = (overrides: Partial<DirectMessage> = {}): DirectMessage => ({
  senderId: PAGE,
  accessToken: pageToken,
  recipientId: PERSON,
  text: 'Hello there',
  tag: null,
  ...overrides,
});

describe('MetaMessenger', () => {
  it('replies with RESPONSE through the Page, the token in the Authorization header', async () => {
    meta.people.set(PERSON, { platform: 'facebook', lastMessageAt: Date.now() - HOUR });
    const sent = await messenger().send(message());

    expect(sent.ok && sent.value.messageId).toBe(meta.sentMessages.at(-1)?.messageId);
    expect(meta.sentMessages.at(-1)).toMatchObject({
      pageId: PAGE,
      recipientId: PERSON,
      text: 'Hello there',
      messagingType: 'RESPONSE',
      tag: null,
    });
    const request = meta.server.requestsTo('messages').at(-1);
    expect(request?.headers.authorization).toBe(`Bearer ${pageToken}`);
    expect(request?.path).toBe(`/${meta.version}/${PAGE}/messages`);
    expect(request?.query).toEqual({});
  });

  it('tags HUMAN_AGENT replies, which Meta allows up to 7 days', async () => {
    meta.people.set(PERSON, { platform: 'instagram', lastMessageAt: Date.now() - 3 * 24 * HOUR });
    const sent = await messenger('instagram').send(message({ tag: 'HUMAN_AGENT' }));
    expect(sent.ok).toBe(true);
    expect(meta.sentMessages.at(-1)).toMatchObject({ messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
  });

  const outsideWindow = fail(
    'outside_messaging_window',
    'Meta refused the message: it is outside the allowed window (24 hours after the person’s last message, 7 days with HUMAN_AGENT).',
  );

  it.each([
    ['Messenger (10/2018278)', 'facebook'],
    ['Instagram (10/2534022, HTTP 403)', 'instagram'],
  ] as const)('maps the window refusal of %s', async (_name, platform) => {
    meta.people.set(PERSON, { platform, lastMessageAt: Date.now() - 25 * HOUR });
    expect(await messenger(platform).send(message())).toEqual(outsideWindow);
  });

  it.each([
    [
      '551/1545041 (unavailable)',
      () => meta.people.set(PERSON, { platform: 'facebook', lastMessageAt: Date.now(), unavailable: true }),
    ],
    ['100/2018001 (no matching user)', () => {}],
    ['551 without a subcode', () => meta.fail('messages', metaError(551))],
  ])('maps %s to recipient_unavailable', async (_name, arrange) => {
    arrange();
    const sent = await messenger().send(message());
    expect(!sent.ok && sent.failure.code).toBe('recipient_unavailable');
  });

  it.each([4, 17, 32, 613, 80000, 80006, 80014])(
    'maps rate-limit code %i with a Retry-After',
    async (code) => {
      meta.rateLimit = { code, regainMinutes: 3 };
      expect(await messenger().send(message())).toEqual(
        fail(
          'platform_rate_limited',
          'Meta is limiting messages from this account right now; try again later.',
          180,
        ),
      );
    },
  );

  it('waits a minute when Meta gives no estimate', async () => {
    meta.fail('messages', metaError(613));
    const sent = await messenger().send(message());
    expect(!sent.ok && sent.failure.retryAfterSeconds).toBe(60);
  });

  it.each([
    [463, 'token_expired'],
    [460, 'token_revoked'],
    [458, 'token_revoked'],
    [undefined, 'credentials_rejected'],
  ] as const)('maps a refused Page token (190/%s) to %s', async (subcode, code) => {
    meta.fail('messages', metaError(190, subcode));
    const sent = await messenger().send(message());
    expect(!sent.ok && sent.failure.code).toBe(code);
  });

  it('maps a missing messaging permission to credentials_rejected', async () => {
    const weak = meta.mintPageToken(PAGE, []);
    meta.people.set(PERSON, { platform: 'facebook', lastMessageAt: Date.now() });
    const sent = await messenger().send(message({ accessToken: weak }));
    expect(!sent.ok && sent.failure.code).toBe('credentials_rejected');
  });

  it.each([
    ['a 5xx', { kind: 'answer', response: { status: 503, body: { error: { code: 2 } } } }],
    ['a temporary error (code 2)', metaError(2)],
    ['a restricted Page (10/1893063)', metaError(10, 1893063)],
    ['a malformed answer', { kind: 'malformed' }],
    [
      'an answer without message_id',
      { kind: 'answer', response: { status: 200, body: { recipient_id: PERSON } } },
    ],
    ['no answer in time', { kind: 'hang' }],
  ] as const)('maps %s to platform_unavailable', async (_name, fault) => {
    meta.fail('messages', fault);
    const sent = await messenger().send(message());
    expect(!sent.ok && sent.failure.code).toBe('platform_unavailable');
  });
});
