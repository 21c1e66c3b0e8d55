import { describe, expect, it } from 'vitest';
import { createJsonLogger } from '../../src/adapters/logging/json-logger.js';
import { encodedForms, SecretValues } from '../../src/adapters/logging/secret-values.js';

const SECRET = 'CANARY_PW_"quoted"/ü+?';

function capture(secrets: SecretValues) {
  const lines: string[] = [];
  return { lines, logger: createJsonLogger('debug', (line) => lines.push(line), secrets) };
}

describe('the JSON logger’s redaction', () => {
  it('redacts fields named like secrets, whatever their value', () => {
    const { lines, logger } = capture(new SecretValues());

    logger.info('login', {
      smtp_password: 'hunter2!',
      access_token: 'abc',
      Authorization: 'Bearer x',
      user: 'alice',
    });

    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      msg: 'login',
      smtp_password: '[REDACTED]',
      access_token: '[REDACTED]',
      Authorization: '[REDACTED]',
      user: 'alice',
    });
  });

  it('redacts every occurrence of a carried value in every encoding, in the message and in any field', () => {
    const { lines, logger } = capture(new SecretValues());
    const carried: string[] = [];
    const requestLogger = logger.carrying(carried);
    const forms = encodedForms(SECRET);

    carried.push(SECRET);
    requestLogger.warn(`twice: ${SECRET} and ${SECRET}`, { unexpected: forms.join(' | '), n: 1 });
    logger.warn(`another request: ${SECRET}`);

    expect(forms).toHaveLength(6);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      msg: 'twice: [REDACTED] and [REDACTED]',
      unexpected: Array(forms.length).fill('[REDACTED]').join(' | '),
      n: 1,
    });
    expect(lines[1]).toContain('another request: CANARY_PW_');
  });

  it('keeps fixed secrets redacted in every line, and one request’s secrets out of its own lines only', () => {
    const secrets = new SecretValues(['fixed-signing-secret']);
    const { lines, logger } = capture(secrets);
    secrets.keep('kept-after-start');

    logger
      .carrying(['shared-token'])
      .info('a', { text: 'fixed-signing-secret kept-after-start shared-token' });
    logger.carrying([]).info('b', { text: 'fixed-signing-secret kept-after-start shared-token' });

    expect(JSON.parse(lines[0] ?? '').text).toBe('[REDACTED] [REDACTED] [REDACTED]');
    expect(JSON.parse(lines[1] ?? '').text).toBe('[REDACTED] [REDACTED] shared-token');
  });

  it('leaves fields named code or state alone: error codes and SQLSTATEs reach operators', () => {
    const { lines, logger } = capture(new SecretValues());

    logger.error('unhandled error', { code: '23505', state: 'open', error_code: 'internal_error' });

    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      code: '23505',
      state: 'open',
      error_code: 'internal_error',
    });
  });

  it('writes nothing below its level', () => {
    const lines: string[] = [];
    createJsonLogger('warn', (line) => lines.push(line)).info('quiet');
    expect(lines).toEqual([]);
  });
});
