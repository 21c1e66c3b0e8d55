import { describe, expect, it } from 'vitest';
import { inboundMessages } from '../../src/adapters/http/meta-webhook-payload.js';

const PAGE = '100000000000001';
const item = (overrides: Record<string, unknown> = {}, message: Record<string, unknown> = {}) => ({
  sender: { id: '24000000000000001' },
  recipient: { id: PAGE },
  timestamp: 1_767_000_000_000,
  message: { mid: 'm_1', text: 'hello', ...message },
  ...overrides,
});
const delivery = (object: string, messaging: unknown[], id: unknown = PAGE) => ({
  object,
  entry: [{ id, time: 1, messaging }],
});

describe('inboundMessages: the messages people sent, from a Meta webhook body', () => {
  it('reads a Messenger message and an Instagram one', () => {
    expect(inboundMessages(delivery('page', [item()]))).toEqual([
      {
        platform: 'facebook',
        accountId: PAGE,
        sender: '24000000000000001',
        mid: 'm_1',
        text: 'hello',
        sentAt: new Date(1_767_000_000_000),
      },
    ]);
    expect(inboundMessages(delivery('instagram', [item()], '17841400000000001'))).toMatchObject([
      { platform: 'instagram', accountId: '17841400000000001' },
    ]);
  });

  it('reads an attachment without text as text null', () => {
    expect(inboundMessages(delivery('page', [item({}, { text: undefined })]))).toMatchObject([
      { text: null },
    ]);
  });

  it('passes over echoes, unsends, the account writing itself, other items and bad ids, keeping the rest', () => {
    const messaging = [
      item({}, { is_echo: true }),
      item({}, { is_deleted: true }),
      item({ sender: { id: PAGE } }),
      { sender: { id: '24000000000000001' }, read: { watermark: 1 } },
      item({ sender: { id: 'not-digits' } }),
      item({ timestamp: 'yesterday' }),
      item({}, { mid: '' }),
      item({}, { mid: 'm_kept' }),
    ];
    expect(inboundMessages(delivery('page', messaging)).map((message) => message.mid)).toEqual(['m_kept']);
  });

  it('reads nothing from other objects or shapes', () => {
    for (const body of [
      delivery('whatsapp_business_account', [item()]),
      delivery('toString', [item()]),
      delivery('page', [item()], 'not-digits'),
      delivery('page', [item()], 100000000000001),
      { object: 'page' },
      [],
      null,
      'text',
    ]) {
      expect(inboundMessages(body)).toEqual([]);
    }
  });
});
