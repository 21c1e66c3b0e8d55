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

  it('redacts every occurrence of a held value in every encoding, in the message and in any field', () => {
    const secrets = new SecretValues();
    const { lines, logger } = capture(secrets);
    const release = secrets.hold([SECRET]);
    const forms = encodedForms(SECRET);

    logger.warn(`twice: ${SECRET} and ${SECRET}`, { unexpected: forms.join(' | '), n: 1 });
    release();
    logger.warn(`after release: ${SECRET}`);

    expect(forms).toHaveLength(6);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      msg: 'twice: [REDACTED] and [REDACTED]',
      unexpected: Array(forms.length).fill('[REDACTED]').join(' | '),
      n: 1,
    });
    expect(lines[1]).toContain('after release: CANARY_PW_');
  });

  it('keeps fixed secrets redacted for good, and a value held twice until both holders release it', () => {
    const secrets = new SecretValues(['fixed-signing-secret']);
    const { lines, logger } = capture(secrets);
    const first = secrets.hold(['shared-token']);
    const second = secrets.hold(['shared-token']);

    first();
    logger.info('a', { text: 'fixed-signing-secret shared-token' });
    second();
    logger.info('b', { text: 'fixed-signing-secret shared-token' });

    expect(JSON.parse(lines[0] ?? '').text).toBe('[REDACTED] [REDACTED]');
    expect(JSON.parse(lines[1] ?? '').text).toBe('[REDACTED] shared-token');
  });

  it('writes nothing below its level', () => {
    const lines: string[] = [];
    createJsonLogger('warn', (line) => lines.push(line)).info('quiet');
    expect(lines).toEqual([]);
  });
});
