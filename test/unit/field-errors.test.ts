import { describe, expect, it } from 'vitest';
import { fieldMessages } from '../../public/field-errors.js';

const FIELDS: [string, string][] = [
  ['email_address', 'Email address'],
  ['smtp_host', 'SMTP server'],
  ['smtp_port', 'Port'],
];

describe('fieldMessages', () => {
  it('names each field by its label, once per field, in the form’s order', () => {
    expect(
      fieldMessages(
        [
          { path: 'smtp_port', message: 'smtp_port must be a whole number' },
          { path: 'smtp_host', message: 'smtp_host must not be empty' },
          { path: 'smtp_host', message: 'smtp_host must be a host name or IP address' },
        ],
        FIELDS,
      ),
    ).toEqual([
      { path: 'smtp_host', message: 'SMTP server must not be empty' },
      { path: 'smtp_port', message: 'Port must be a whole number' },
    ]);
  });

  it('keeps a message that does not start with the field’s name, and leaves out fields the form lacks', () => {
    expect(
      fieldMessages(
        [
          { path: 'email_address', message: 'Invalid input: expected string, received undefined' },
          { path: 'platform', message: 'platform must be one of instagram, facebook, tiktok, email' },
        ],
        FIELDS,
      ),
    ).toEqual([{ path: 'email_address', message: 'Invalid input: expected string, received undefined' }]);
  });
});
