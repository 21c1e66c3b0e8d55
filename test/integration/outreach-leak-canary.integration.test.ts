import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgliteTestDatabase, selectRows, type TestDatabase } from '../support/databases.js';
import { leaks } from '../support/leaks.js';
import { type OutreachHarness, startOutreachHarness } from '../support/outreach-harness.js';

const run = randomUUID();
const TEXT = `CANARY_TEXT_${run}`;
const SUBJECT = `CANARY_SUBJECT_${run}`;
const HTML = `<p>CANARY_HTML_${run}</p>`;
const PSID = '24000000000000001';
const HOUR = 3_600_000;

let database: TestDatabase;
let h: OutreachHarness;
let metaUser: string;
let emailUser: string;
const responses: string[] = [];

async function send(user: string, platform: string, body: unknown, headers: Record<string, string> = {}) {
  const answer = await h.send(user, platform, body, headers);
  responses.push(
    `${answer.status}\n${[...answer.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${JSON.stringify(answer.body)}`,
  );
  return answer.status;
}

const dm = (extra: Record<string, unknown> = {}) => ({ recipient_id: PSID, text: TEXT, ...extra });
const mail = (extra: Record<string, unknown> = {}) => ({
  to: 'lead@example.org',
  subject: SUBJECT,
  text: TEXT,
  html: HTML,
  ...extra,
});

/** Every path a message's text, subject or html goes through, one line each, with the status it must get. */
const PATHS: [string, () => Promise<number>, number][] = [
  ['a Messenger reply', () => send(metaUser, 'facebook', dm(), { 'idempotency-key': 'k1' }), 201],
  ['its replay', () => send(metaUser, 'facebook', dm(), { 'idempotency-key': 'k1' }), 200],
  [
    'the key with another text',
    () => send(metaUser, 'facebook', dm({ text: `${TEXT}!` }), { 'idempotency-key': 'k1' }),
    422,
  ],
  ['an email with subject and html', () => send(emailUser, 'email', mail()), 201],
  [
    'a text over the limit',
    () => send(metaUser, 'facebook', dm({ text: `${TEXT}${'x'.repeat(1000)}` })),
    400,
  ],
  ['the canary under an unknown key', () => send(metaUser, 'facebook', dm({ note: TEXT })), 400],
  [
    'a subject with a line break',
    () => send(emailUser, 'email', mail({ subject: `${SUBJECT}\r\nBcc: x@y.z` })),
    400,
  ],
  [
    'Meta refusing the window',
    async () => {
      h.meta.people.set(PSID, { platform: 'facebook', lastMessageAt: Date.now() - 30 * HOUR });
      return send(metaUser, 'facebook', dm());
    },
    422,
  ],
  [
    'Meta failing',
    async () => {
      h.meta.fail('messages', {
        kind: 'answer',
        response: { status: 500, body: { error: { message: TEXT } } },
      });
      try {
        return await send(metaUser, 'facebook', dm({ tag: 'HUMAN_AGENT' }));
      } finally {
        h.meta.heal();
      }
    },
    502,
  ],
  [
    'an SMTP server refusing the recipient',
    async () => {
      h.smtp.refused.add('gone@example.org');
      return send(emailUser, 'email', mail({ to: 'gone@example.org' }));
    },
    422,
  ],
  ['a suppressed recipient', () => send(emailUser, 'email', mail({ to: 'gone@example.org' })), 422],
  ['TikTok', () => send(metaUser, 'tiktok', dm()), 409],
];

beforeAll(async () => {
  database = await pgliteTestDatabase();
  h = await startOutreachHarness(database);
  metaUser = await h.metaUser('facebook');
  emailUser = await h.emailUser();
  h.meta.people.set(PSID, { platform: 'facebook', lastMessageAt: Date.now() - HOUR });
});
afterAll(async () => {
  await h.close();
  await database.dispose();
});

describe('the text, subject and html of a message are never stored, logged, audited or returned', () => {
  it.each(PATHS)('%s', async (_name, attempt, status) => {
    expect(await attempt()).toBe(status);
  });

  it('finds none of them in any form, while the platforms did receive them', async () => {
    const tables = [
      'outreach_messages',
      'outreach_suppressions',
      'outreach_windows',
      'email_daily_sends',
      'audit_log',
    ];
    const haystack: Record<string, string> = {
      responses: responses.join('\n'),
      logs: h.logLines.join('\n'),
    };
    for (const table of tables) {
      haystack[table] = JSON.stringify(await selectRows(database, sql.raw(`select * from ${table}`)));
    }

    expect(leaks([TEXT, SUBJECT, HTML], haystack)).toEqual([]);
    // The canaries went where they belong, so the search above looked for something real.
    expect(h.meta.sentMessages.some((message) => message.text === TEXT)).toBe(true);
    expect(
      h.smtp.messages.some((message) => message.raw.includes(SUBJECT) && message.raw.includes(TEXT)),
    ).toBe(true);
    expect(JSON.parse(haystack.outreach_messages ?? '[]').length).toBeGreaterThanOrEqual(4);
    expect(h.logLines.length).toBeGreaterThanOrEqual(PATHS.length);
  });
});
